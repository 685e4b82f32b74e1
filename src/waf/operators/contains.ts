import { registerOperator } from './registry.ts';
import { withParam } from './string-ops.ts';
/** `@contains TEXT` — substring (case-sensitive). Example: `SecRule REQUEST_LINE "@contains /admin"` */
registerOperator({ name: 'contains', doc: '@contains TEXT — substring; example: "@contains /admin"', compile: (p) => withParam(p, (i, v) => i.includes(v)) });
