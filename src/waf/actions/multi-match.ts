import { registerAction } from './registry.ts';
/** `multiMatch` — run the operator before and after every transformation. Example: `t:urlDecode,multiMatch` */
registerAction({ name: 'multiMatch', kind: 'nondisruptive', doc: 'multiMatch — example: t:lowercase,multiMatch', init(rule) { rule.multiMatch = true; return undefined; } });
