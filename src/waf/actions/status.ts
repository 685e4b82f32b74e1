import { registerAction } from './registry.ts';
/** `status:N` — HTTP status for deny/redirect. Example: `deny,status:403` */
registerAction({
  name: 'status', kind: 'data', doc: 'status:N — example: status:403',
  init(rule, v) {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 100 || n > 599) return `status expects an HTTP status code, got "${v ?? ''}"`;
    rule.status = n;
    return undefined;
  },
});
