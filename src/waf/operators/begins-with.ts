import { registerOperator } from './registry.ts';
import { withParam } from './string-ops.ts';
/** `@beginsWith TEXT` — prefix (case-sensitive). Example: `SecRule REQUEST_URI "@beginsWith /api/"` */
registerOperator({ name: 'beginsWith', doc: '@beginsWith TEXT — prefix; example: "@beginsWith /api/"', compile: (p) => withParam(p, (i, v) => i.startsWith(v)) });
