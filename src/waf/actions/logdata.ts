import { registerAction } from './registry.ts';
import { compileMacro } from '../engine/macro.ts';
/** `logdata:'TEXT'` — data logged with the match (macros expanded). Example: `logdata:'Matched Data: %{TX.0} found within %{MATCHED_VAR_NAME}'` */
registerAction({ name: 'logdata', kind: 'metadata', doc: "logdata:'TEXT' — example: logdata:'%{MATCHED_VAR}'", init(rule, v) { rule.logdata = compileMacro(v ?? ''); return undefined; } });
