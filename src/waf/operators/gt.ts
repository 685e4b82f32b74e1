import { registerOperator } from './registry.ts';
import { numeric } from './numeric.ts';
/** `@gt N` — greater than. Example: `SecRule REQUEST_BODY_LENGTH "@gt 1000"` */
registerOperator({ name: 'gt', doc: '@gt N — greater than; example: "@gt 1000"', compile: (p) => numeric(p, (a, b) => a > b) });
