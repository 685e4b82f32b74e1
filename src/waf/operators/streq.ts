import { registerOperator } from './registry.ts';
import { withParam } from './string-ops.ts';
/** `@streq TEXT` — exact, case-sensitive equality (macros expanded). Example: `SecRule REQUEST_METHOD "@streq POST"` */
registerOperator({ name: 'streq', doc: '@streq TEXT — equality; example: "@streq POST"', compile: (p) => withParam(p, (i, v) => i === v) });
