import { registerTransformation } from './registry.ts';
/** `t:normalizePath` — removes `./`, resolves `../`, collapses `//`. Example: `/a/./b/../c//d` → `/a/c/d` */
export function normalizePath(s: string): string {
  if (s === '') return s;
  const abs = s.startsWith('/');
  const trailing = s.endsWith('/') || s.endsWith('/.') || s.endsWith('/..');
  const out: string[] = [];
  for (const seg of s.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(seg);
  }
  let r = (abs ? '/' : '') + out.join('/');
  if (trailing && out.length > 0) r += '/';
  return r;
}
registerTransformation({ name: 'normalizePath', doc: 't:normalizePath — `/a/./b/../c//d` → `/a/c/d`', fn: normalizePath });
registerTransformation({ name: 'normalisePath', doc: 't:normalisePath — alias of normalizePath', fn: normalizePath });
