import { registerOperator } from './registry.ts';
import { withParam } from './string-ops.ts';
/** `@strmatch TEXT` — substring (same as @contains). Example: `"@strmatch WebZIP"` */
registerOperator({ name: 'strmatch', doc: '@strmatch TEXT — substring; example: "@strmatch WebZIP"', compile: (p) => withParam(p, (i, v) => i.includes(v)) });
