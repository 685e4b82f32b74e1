import { registerOperator } from './registry.ts';
/** `@rbl ZONE` — DNS blocklist lookup; the engine makes no network calls in the request path, so it never matches. Example: `SecRule REMOTE_ADDR "@rbl bl.example"` */
registerOperator({ name: 'rbl', doc: '@rbl ZONE — no network lookups: never matches', compile: () => () => false });
