import { registerAction } from './registry.ts';
/** `chain` — the next SecRule must also match for this rule to match. Example: `SecRule A "@rx x" "id:1,chain"` + `SecRule B "@rx y"` */
registerAction({ name: 'chain', kind: 'flow', doc: 'chain — example: id:1,deny,chain', init(rule) { rule.chained = true; return undefined; } });
