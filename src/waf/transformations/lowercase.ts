import { registerTransformation } from './registry.ts';
/** `t:lowercase` — ASCII lower-case. Example: `ABC` → `abc` */
registerTransformation({ name: 'lowercase', doc: 't:lowercase — `ABC` → `abc`', fn: (s) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) });
