import { registerTransformation } from './registry.ts';
import { hexVal, isHex } from './hex.ts';
/** `t:urlDecode` — `%HH` → byte, `+` → space; invalid escapes are kept. Example: `a%20b+c` → `a b c` */
export function urlDecode(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '%' && isHex(s[i + 1]) && isHex(s[i + 2])) {
      out += String.fromCharCode(hexVal(s[i + 1] as string) * 16 + hexVal(s[i + 2] as string));
      i += 2;
    } else if (c === '+') out += ' ';
    else out += c;
  }
  return out;
}
registerTransformation({ name: 'urlDecode', doc: 't:urlDecode — `a%20b+c` → `a b c`', fn: urlDecode });
