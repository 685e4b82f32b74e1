import { registerAction } from './registry.ts';
/** `ver:'TEXT'` — ruleset version. Example: `ver:'OWASP_CRS/4.28.0'` */
registerAction({ name: 'ver', kind: 'metadata', doc: "ver:'TEXT' — example: ver:'OWASP_CRS/4.28.0'", init(rule, v) { rule.ver = v ?? ''; return undefined; } });
