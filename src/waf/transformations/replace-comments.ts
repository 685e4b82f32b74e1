import { registerTransformation } from './registry.ts';
/** `t:replaceComments` — each C comment `/* … *\/` (or unterminated `/*…`) → one space. Example: `a/*x*\/b` → `a b` */
registerTransformation({ name: 'replaceComments', doc: 't:replaceComments — `a/*x*/b` → `a b`', fn: (s) => (s.includes('/*') ? s.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, ' ') : s) });
