import { registerAction } from './registry.ts';
/** `log` / `nolog` — whether a match is recorded in tx.matches. Example: `nolog` */
registerAction({ name: 'log', kind: 'metadata', doc: 'log — record matches (default)', init(rule) { rule.log = true; return undefined; } });
registerAction({ name: 'nolog', kind: 'metadata', doc: 'nolog — do not record matches', init(rule) { rule.log = false; return undefined; } });
