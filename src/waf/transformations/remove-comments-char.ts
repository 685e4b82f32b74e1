import { registerTransformation } from './registry.ts';
/** `t:removeCommentsChar` — deletes comment markers `/*`, `*\/`, `--`, `#`. Example: `a/*b*\/c` → `abc` */
registerTransformation({ name: 'removeCommentsChar', doc: 't:removeCommentsChar — `a/*b*/c--#` → `abc`', fn: (s) => s.replace(/\/\*|\*\/|--|#/g, '') });
