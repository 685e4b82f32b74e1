import { registerOperator } from './registry.ts';
import { numeric } from './numeric.ts';
/** `@ge N` — greater or equal. Example: `SecRule TX:SCORE "@ge %{tx.threshold}"` */
registerOperator({ name: 'ge', doc: '@ge N — greater or equal; example: "@ge 5"', compile: (p) => numeric(p, (a, b) => a >= b) });
