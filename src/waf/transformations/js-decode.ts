import { registerTransformation } from './registry.ts';
import { hexVal, isHex, unicodeToByte } from './hex.ts';
/** `t:jsDecode` — JavaScript escapes: `\xHH`, `\uHHHH`, `\OOO`, `\n`… Example: `\x3cscript\u003e` → `<script>` */
const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
export function jsDecode(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\' || i + 1 >= s.length) { out += c; continue; }
    const n = s[i + 1] as string;
    if ((n === 'u' || n === 'U') && isHex(s[i + 2]) && isHex(s[i + 3]) && isHex(s[i + 4]) && isHex(s[i + 5])) {
      out += unicodeToByte(parseInt(s.slice(i + 2, i + 6), 16));
      i += 5;
    } else if ((n === 'x' || n === 'X') && isHex(s[i + 2]) && isHex(s[i + 3])) {
      out += String.fromCharCode(hexVal(s[i + 2] as string) * 16 + hexVal(s[i + 3] as string));
      i += 3;
    } else if (n >= '0' && n <= '7') {
      let j = i + 1;
      let v = 0;
      while (j < s.length && j < i + 4 && (s[j] as string) >= '0' && (s[j] as string) <= '7') { v = v * 8 + Number(s[j]); j++; }
      out += String.fromCharCode(v & 0xff);
      i = j - 1;
    } else {
      out += simple[n] ?? n;
      i += 1;
    }
  }
  return out;
}
registerTransformation({ name: 'jsDecode', doc: 't:jsDecode — `\\x3c\\u003e` → `<>`', fn: jsDecode });
