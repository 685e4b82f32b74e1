import { registerTransformation } from './registry.ts';
import { isHex, isSpace, unicodeToByte } from './hex.ts';
/** `t:cssDecode` — CSS 2 escapes: `\HHHHHH ` (1-6 hex digits), `\` + newline removed, `\c` → c. Example: `\3c` → `<` */
export function cssDecode(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\') { out += c; continue; }
    if (i + 1 >= s.length) break;
    let j = i + 1;
    let hex = '';
    while (j < s.length && hex.length < 6 && isHex(s[j])) { hex += s[j]; j++; }
    if (hex.length > 0) {
      const code = parseInt(hex, 16);
      out += hex.length > 2 ? unicodeToByte(code) : String.fromCharCode(code & 0xff);
      if (isSpace(s[j])) j++;
      i = j - 1;
    } else if (s[j] === '\n') {
      i = j;
    } else {
      out += s[j];
      i = j;
    }
  }
  return out;
}
registerTransformation({ name: 'cssDecode', doc: 't:cssDecode — `\\3c script` → `<script`', fn: cssDecode });
