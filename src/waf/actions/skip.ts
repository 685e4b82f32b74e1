import { registerAction } from './registry.ts';
/** `skip:N` — on match, skip the next N rules (chains count as one). Example: `skip:2` */
registerAction({
  name: 'skip', kind: 'flow', doc: 'skip:N — example: skip:1',
  init(rule, v) { const n = Number(v); if (!Number.isInteger(n) || n < 1) return `skip expects a positive integer, got "${v ?? ''}"`; rule.skip = n; return undefined; },
});
