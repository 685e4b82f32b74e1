import { registerAction } from './registry.ts';
/** `id:N` — the rule's unique numeric id. Example: `id:942100` */
registerAction({
  name: 'id', kind: 'metadata', doc: 'id:N — rule id; example: id:942100',
  init(rule, v) {
    const n = Number(v);
    if (!v || !Number.isInteger(n) || n <= 0) return `id expects a positive integer, got "${v ?? ''}"`;
    rule.id = n;
    rule.chainStarterId = n;
    return undefined;
  },
});
