import { registerOperator } from './registry.ts';
import { withParam } from './string-ops.ts';
/** `@within LIST` — the input occurs as a substring of LIST (macros expanded). Example: `"@within GET POST HEAD"` */
registerOperator({ name: 'within', doc: '@within LIST — input is inside LIST; example: "@within GET HEAD POST"', compile: (p) => withParam(p, (i, v) => v.includes(i)) });
