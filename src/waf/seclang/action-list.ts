/** Splits a SecLang action list (`id:1,phase:2,msg:'a, b',t:none`) into name/value pairs. */
export interface RawAction { name: string; value: string | undefined; offset: number }

export function parseActionList(text: string): RawAction[] {
  const out: RawAction[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === ',' || /\s/.test(text[i] ?? ''))) i++;
    if (i >= n) break;
    const start = i;
    let name = '';
    while (i < n && text[i] !== ':' && text[i] !== ',') { name += text[i]; i++; }
    name = name.trim();
    let value: string | undefined;
    if (text[i] === ':') {
      i++;
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      if (text[i] === "'") {
        i++;
        let v = '';
        while (i < n) {
          const c = text[i];
          if (c === '\\' && text[i + 1] === "'") { v += "'"; i += 2; continue; }
          if (c === "'") { i++; break; }
          v += c;
          i++;
        }
        value = v;
        while (i < n && text[i] !== ',') i++;
      } else {
        let v = '';
        while (i < n && text[i] !== ',') { v += text[i]; i++; }
        value = v.trim();
      }
    }
    out.push({ name, value, offset: start });
  }
  return out;
}
