import { registerOperator } from './registry.ts';
import { withParam } from './string-ops.ts';
/** `@endsWith TEXT` — suffix (case-sensitive). Example: `SecRule REQUEST_FILENAME "@endsWith .php"` */
registerOperator({ name: 'endsWith', doc: '@endsWith TEXT — suffix; example: "@endsWith .php"', compile: (p) => withParam(p, (i, v) => i.endsWith(v)) });
