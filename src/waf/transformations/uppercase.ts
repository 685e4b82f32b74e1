import { registerTransformation } from './registry.ts';
/** `t:uppercase` — ASCII upper-case. Example: `abc` → `ABC` */
registerTransformation({ name: 'uppercase', doc: 't:uppercase — `abc` → `ABC`', fn: (s) => s.replace(/[a-z]+/g, (m) => m.toUpperCase()) });
