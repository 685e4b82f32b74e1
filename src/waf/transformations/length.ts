import { registerTransformation } from './registry.ts';
/** `t:length` — the input's length in bytes, as decimal text. Example: `abc` → `3` */
registerTransformation({ name: 'length', doc: 't:length — `abc` → `3`', fn: (s) => String(s.length) });
