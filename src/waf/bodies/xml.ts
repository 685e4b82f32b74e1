/**
 * Minimal XML reader, enough for the CRS's `XML:/*` (text nodes) and `XML://@*` (attribute values): checks that
 * tags balance and collects decoded text and attribute values. Throws on malformed input. No DTD/entity expansion.
 */
export interface XmlData { texts: string[]; attrs: string[] }

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
    if (e.startsWith('#x')) return String.fromCharCode(parseInt(e.slice(2), 16) & 0xff);
    if (e.startsWith('#')) return String.fromCharCode(parseInt(e.slice(1), 10) & 0xff);
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e] ?? '';
  });
}

export function parseXml(s: string): XmlData {
  const texts: string[] = [];
  const attrs: string[] = [];
  const stack: string[] = [];
  let i = 0;
  let seenRoot = false;
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const text = lt < 0 ? s.slice(i) : s.slice(i, lt);
    if (text.trim() !== '') {
      if (stack.length === 0) throw new Error('text outside the root element');
      texts.push(decode(text));
    }
    if (lt < 0) break;
    if (s.startsWith('<!--', lt)) {
      const e = s.indexOf('-->', lt + 4);
      if (e < 0) throw new Error('unterminated comment');
      i = e + 3;
    } else if (s.startsWith('<![CDATA[', lt)) {
      const e = s.indexOf(']]>', lt + 9);
      if (e < 0) throw new Error('unterminated CDATA');
      texts.push(s.slice(lt + 9, e));
      i = e + 3;
    } else if (s.startsWith('<?', lt)) {
      const e = s.indexOf('?>', lt + 2);
      if (e < 0) throw new Error('unterminated processing instruction');
      i = e + 2;
    } else if (s.startsWith('<!', lt)) {
      let depth = 0;
      let j = lt + 2;
      for (; j < s.length; j++) {
        if (s[j] === '[') depth++;
        else if (s[j] === ']') depth--;
        else if (s[j] === '>' && depth <= 0) break;
      }
      if (j >= s.length) throw new Error('unterminated declaration');
      i = j + 1;
    } else {
      const e = s.indexOf('>', lt + 1);
      if (e < 0) throw new Error('unterminated tag');
      const body = s.slice(lt + 1, e);
      i = e + 1;
      if (body.startsWith('/')) {
        const name = body.slice(1).trim();
        if (stack.pop() !== name) throw new Error(`mismatched end tag </${name}>`);
        continue;
      }
      const selfClose = body.endsWith('/');
      const inner = selfClose ? body.slice(0, -1) : body;
      const m = /^([^\s/>]+)/.exec(inner);
      if (!m) throw new Error('bad tag');
      const name = m[1] ?? '';
      if (stack.length === 0 && seenRoot) throw new Error('more than one root element');
      seenRoot = true;
      const attrRe = /([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g;
      for (let a = attrRe.exec(inner.slice(name.length)); a; a = attrRe.exec(inner.slice(name.length))) {
        attrs.push(decode(a[3] ?? a[4] ?? ''));
      }
      if (!selfClose) stack.push(name);
    }
  }
  if (!seenRoot) throw new Error('no root element');
  if (stack.length > 0) throw new Error(`unclosed element <${stack[stack.length - 1] ?? ''}>`);
  return { texts, attrs };
}
