import { registerAction } from './registry.ts';
import { compileMacro } from '../engine/macro.ts';
/** `msg:'TEXT'` — message logged with the match (macros expanded). Example: `msg:'SQL Injection Attack'` */
registerAction({ name: 'msg', kind: 'metadata', doc: "msg:'TEXT' — example: msg:'XSS Attack Detected'", init(rule, v) { rule.msg = compileMacro(v ?? ''); return undefined; } });
