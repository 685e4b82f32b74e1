import { registerOperator } from './registry.ts';
import { numeric } from './numeric.ts';
/** `@eq N` — integer equality (macros expanded). Example: `SecRule &ARGS "@eq 0"` */
registerOperator({ name: 'eq', doc: '@eq N — equal; example: "@eq 0"', compile: (p) => numeric(p, (a, b) => a === b) });
