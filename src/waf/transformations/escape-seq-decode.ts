import { registerTransformation } from './registry.ts';
import { hexVal, isHex } from './hex.ts';
/** `t:escapeSeqDecode` — ANSI C escapes (`\n`, `\xHH`, `\OOO`, `\\`…). Example: `\x41\n` → `A` + newline */
const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '?': '?', "'": "'", '"': '"' };
export function escapeSeqDecode(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\' || i + 1 >= s.length) { out += c; continue; }
    const n = s[i + 1] as string;
    const mapped = simple[n];
    if (mapped !== undefined) { out += mapped; i++; continue; }
    if ((n === 'x' || n === 'X') && isHex(s[i + 2]) && isHex(s[i + 3])) {
      out += String.fromCharCode(hexVal(s[i + 2] as string) * 16 + hexVal(s[i + 3] as string));
      i += 3;
      continue;
    }
    if (n >= '0' && n <= '7') {
      let j = i + 1;
      let v = 0;
      while (j < s.length && j < i + 4 && (s[j] as string) >= '0' && (s[j] as string) <= '7') { v = v * 8 + Number(s[j]); j++; }
      out += String.fromCharCode(v & 0xff);
      i = j - 1;
      continue;
    }
    out += c;
  }
  return out;
}
registerTransformation({ name: 'escapeSeqDecode', doc: 't:escapeSeqDecode — `\\x41\\n` → `A\\n`', fn: escapeSeqDecode });
