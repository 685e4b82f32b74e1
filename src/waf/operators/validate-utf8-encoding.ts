import { registerOperator } from './registry.ts';
/** `@validateUtf8Encoding` — matches when the bytes are not valid (shortest-form) UTF-8. Example: `SecRule ARGS "@validateUtf8Encoding"` */
export function isValidUtf8(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const b = s.charCodeAt(i) & 0xff;
    if (b < 0x80) continue;
    let n = 0;
    let min = 0;
    let cp = 0;
    if (b >= 0xc2 && b <= 0xdf) { n = 1; cp = b & 0x1f; min = 0x80; } else if (b >= 0xe0 && b <= 0xef) { n = 2; cp = b & 0x0f; min = 0x800; } else if (b >= 0xf0 && b <= 0xf4) { n = 3; cp = b & 0x07; min = 0x10000; } else return false;
    if (i + n >= s.length) return false;
    for (let k = 1; k <= n; k++) {
      const c = s.charCodeAt(i + k) & 0xff;
      if ((c & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n;
  }
  return true;
}
registerOperator({
  name: 'validateUtf8Encoding',
  doc: '@validateUtf8Encoding — invalid UTF-8; example: "@validateUtf8Encoding"',
  compile: () => (_tx, input) => !isValidUtf8(input),
});
