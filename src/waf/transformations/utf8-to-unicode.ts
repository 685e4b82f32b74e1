import { registerTransformation } from './registry.ts';
/** `t:utf8toUnicode` — UTF-8 multi-byte sequences → `%uHHHH`; other bytes kept. Example: `\xc3\xa9` → `%u00e9` */
export function utf8toUnicode(s: string): string {
  if (!/[\x80-\xff]/.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const b = s.charCodeAt(i);
    let len = 0;
    let cp = 0;
    if (b >= 0xc2 && b <= 0xdf) { len = 2; cp = b & 0x1f; } else if (b >= 0xe0 && b <= 0xef) { len = 3; cp = b & 0x0f; } else if (b >= 0xf0 && b <= 0xf4) { len = 4; cp = b & 0x07; }
    let ok = len > 0 && i + len <= s.length;
    for (let k = 1; ok && k < len; k++) {
      const c = s.charCodeAt(i + k);
      if ((c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (!ok) { out += s[i]; continue; }
    out += '%u' + (cp > 0xffff ? cp.toString(16) : cp.toString(16).padStart(4, '0'));
    i += len - 1;
  }
  return out;
}
registerTransformation({ name: 'utf8toUnicode', doc: 't:utf8toUnicode — `é` (UTF-8) → `%u00e9`', fn: utf8toUnicode });
