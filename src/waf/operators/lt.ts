import { registerOperator } from './registry.ts';
import { numeric } from './numeric.ts';
/** `@lt N` — less than. Example: `SecRule TX:DETECTION_PARANOIA_LEVEL "@lt 2"` */
registerOperator({ name: 'lt', doc: '@lt N — less than; example: "@lt 2"', compile: (p) => numeric(p, (a, b) => a < b) });
