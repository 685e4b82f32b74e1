import { registerTransformation } from './registry.ts';
/** `t:removeComments` — deletes `/* … *\/`, and `--…` / `#…` to end of line. Example: `a/*x*\/b` → `ab` */
registerTransformation({ name: 'removeComments', doc: 't:removeComments — `a/*x*/b--c` → `ab`', fn: (s) => s.replace(/\/\*[\s\S]*?(?:\*\/|$)|(?:--|#)[^\n]*/g, '') });
