import { registerTransformation } from './registry.ts';
/** `t:base64Encode` — encodes to base64. Example: `<a>` → `PGE+` */
registerTransformation({ name: 'base64Encode', doc: 't:base64Encode — `<a>` → `PGE+`', fn: (s) => Buffer.from(s, 'latin1').toString('base64') });
