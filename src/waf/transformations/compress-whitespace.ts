import { registerTransformation } from './registry.ts';
/** `t:compressWhitespace` — whitespace runs (incl. NBSP) → one space. Example: `a \t b` → `a b` */
registerTransformation({ name: 'compressWhitespace', doc: 't:compressWhitespace — `a \\t b` → `a b`', fn: (s) => s.replace(/[ \t\n\r\f\v\xa0]+/g, ' ') });
