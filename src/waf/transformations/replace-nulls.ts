import { registerTransformation } from './registry.ts';
/** `t:replaceNulls` — NUL bytes → space. Example: `a\0b` → `a b` */
registerTransformation({ name: 'replaceNulls', doc: 't:replaceNulls — `a\\0b` → `a b`', fn: (s) => s.replaceAll('\0', ' ') });
