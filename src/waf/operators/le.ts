import { registerOperator } from './registry.ts';
import { numeric } from './numeric.ts';
/** `@le N` — less or equal. Example: `"@le 10"` */
registerOperator({ name: 'le', doc: '@le N — less or equal; example: "@le 10"', compile: (p) => numeric(p, (a, b) => a <= b) });
