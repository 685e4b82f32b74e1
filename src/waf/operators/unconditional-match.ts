import { registerOperator } from './registry.ts';
/** `@unconditionalMatch` — always matches; `@noMatch` never does. Example: `SecRule REMOTE_ADDR "@unconditionalMatch"` */
registerOperator({ name: 'unconditionalMatch', doc: '@unconditionalMatch — always true', compile: () => () => true });
registerOperator({ name: 'noMatch', doc: '@noMatch — always false', compile: () => () => false });
