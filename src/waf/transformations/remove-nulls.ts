import { registerTransformation } from './registry.ts';
/** `t:removeNulls` — deletes NUL bytes. Example: `a\0b` → `ab` */
registerTransformation({ name: 'removeNulls', doc: 't:removeNulls — `a\\0b` → `ab`', fn: (s) => (s.includes('\0') ? s.replaceAll('\0', '') : s) });
