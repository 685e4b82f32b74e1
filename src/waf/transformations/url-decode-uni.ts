import { registerTransformation } from './registry.ts';
import { hexVal, isHex, unicodeToByte } from './hex.ts';
/** `t:urlDecodeUni` — like urlDecode and also `%uHHHH` (full-width ASCII mapped to ASCII). Example: `%u003c` → `<` */
export function urlDecodeUni(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '%') {
      if ((s[i + 1] === 'u' || s[i + 1] === 'U') && isHex(s[i + 2]) && isHex(s[i + 3]) && isHex(s[i + 4]) && isHex(s[i + 5])) {
        const code = parseInt(s.slice(i + 2, i + 6), 16);
        out += unicodeToByte(code);
        i += 5;
        continue;
      }
      if (isHex(s[i + 1]) && isHex(s[i + 2])) {
        out += String.fromCharCode(hexVal(s[i + 1] as string) * 16 + hexVal(s[i + 2] as string));
        i += 2;
        continue;
      }
      out += c;
    } else if (c === '+') out += ' ';
    else out += c;
  }
  return out;
}
registerTransformation({ name: 'urlDecodeUni', doc: 't:urlDecodeUni — `%u003c%3e` → `<>`', fn: urlDecodeUni });
