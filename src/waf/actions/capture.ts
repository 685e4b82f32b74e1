import { registerAction } from './registry.ts';
/** `capture` — @rx groups (and @pm/@detectSQLi results) go to TX:0..9. Example: `capture,setvar:tx.x=%{TX.1}` */
registerAction({ name: 'capture', kind: 'nondisruptive', doc: 'capture — example: "@rx (a)(b)" capture', init(rule) { rule.capture = true; return undefined; } });
