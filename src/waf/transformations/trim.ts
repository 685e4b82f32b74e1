import { registerTransformation } from './registry.ts';
/** `t:trim`, `t:trimLeft`, `t:trimRight` — strip whitespace. Example: ` a ` → `a` */
registerTransformation({ name: 'trim', doc: 't:trim — ` a ` → `a`', fn: (s) => s.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, '') });
registerTransformation({ name: 'trimLeft', doc: 't:trimLeft — ` a ` → `a `', fn: (s) => s.replace(/^[ \t\n\r\f\v]+/, '') });
registerTransformation({ name: 'trimRight', doc: 't:trimRight — ` a ` → ` a`', fn: (s) => s.replace(/[ \t\n\r\f\v]+$/, '') });
