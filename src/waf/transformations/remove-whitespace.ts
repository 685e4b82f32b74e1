import { registerTransformation } from './registry.ts';
/** `t:removeWhitespace` — deletes all whitespace (incl. NBSP). Example: `a b` → `ab` */
registerTransformation({ name: 'removeWhitespace', doc: 't:removeWhitespace — `a b` → `ab`', fn: (s) => s.replace(/[ \t\n\r\f\v\xa0]+/g, '') });
