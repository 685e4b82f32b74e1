/**
 * Parses a SecRule target list: `ARGS|!ARGS:foo|&TX:score|REQUEST_HEADERS:/^x-/|XML:/*`.
 * A key written `/.../` is a regex selector (case-insensitive, as in ModSecurity); `'...'` quotes a key.
 */
export interface RawVariable {
  name: string;
  key?: string;
  keyRegex?: string;
  count: boolean;
  exclude: boolean;
}

export function parseVariableList(text: string): RawVariable[] {
  const out: RawVariable[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === '|' || text[i] === ' ')) i++;
    if (i >= n) break;
    let exclude = false;
    let count = false;
    if (text[i] === '!') { exclude = true; i++; }
    if (text[i] === '&') { count = true; i++; }
    let name = '';
    while (i < n && text[i] !== ':' && text[i] !== '|') { name += text[i]; i++; }
    const v: RawVariable = { name: name.trim().toUpperCase(), count, exclude };
    if (text[i] === ':') {
      i++;
      if (text[i] === '/' && v.name !== 'XML') {
        i++;
        let re = '';
        while (i < n) {
          const c = text[i];
          if (c === '\\' && i + 1 < n) { re += c + text[i + 1]; i += 2; continue; }
          if (c === '/' && (i + 1 >= n || text[i + 1] === '|')) { i++; break; }
          re += c;
          i++;
        }
        v.keyRegex = re;
      } else if (text[i] === "'") {
        i++;
        let k = '';
        while (i < n && text[i] !== "'") { k += text[i]; i++; }
        i++;
        v.key = k;
      } else {
        let k = '';
        while (i < n && text[i] !== '|') { k += text[i]; i++; }
        v.key = k.trim();
      }
    }
    out.push(v);
  }
  return out;
}
