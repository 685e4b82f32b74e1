import { registerAction } from './registry.ts';
/** `tag:'TEXT'` — classification tag (repeatable), used by ruleRemoveByTag & co. Example: `tag:'attack-sqli'` */
registerAction({ name: 'tag', kind: 'metadata', doc: "tag:'TEXT' — example: tag:'OWASP_CRS'", init(rule, v) { rule.tags.push(v ?? ''); return undefined; } });
