import { registerTransformation } from './registry.ts';
import { normalizePath } from './normalize-path.ts';
/** `t:normalizePathWin` — `\` → `/`, then normalizePath. Example: `a\..\b` → `b` */
registerTransformation({ name: 'normalizePathWin', doc: 't:normalizePathWin — `c:\\a\\..\\b` → `c:/b`', fn: (s) => normalizePath(s.replaceAll('\\', '/')) });
registerTransformation({ name: 'normalisePathWin', doc: 't:normalisePathWin — alias of normalizePathWin', fn: (s) => normalizePath(s.replaceAll('\\', '/')) });
