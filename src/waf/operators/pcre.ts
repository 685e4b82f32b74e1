/**
 * PCRE → JavaScript regex conversion for the (RE2-compatible) CRS patterns, on byte strings:
 * leading/inline `(?i)`-style flags become JS flags or `(?i:...)` modifier groups, possessive quantifiers lose their
 * `+`, atomic groups become plain groups, `\x{HH}` becomes `\xHH`, POSIX classes are expanded, `\A`/`\z`/`\Z` become
 * anchors, and non-ASCII literals become their UTF-8 bytes (PCRE without UTF mode matches bytes).
 */
const posix: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  xdigit: '0-9A-Fa-f', punct: '!-\\/:-@\\[-`{-~', word: '\\w', blank: ' \\t', cntrl: '\\x00-\\x1f\\x7f', print: '\\x20-\\x7e', graph: '\\x21-\\x7e',
};

function toBytes(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x80) return ch;
  let out = '';
  for (const b of Buffer.from(ch, 'utf8')) out += '\\x' + b.toString(16).padStart(2, '0');
  return out;
}

export interface ConvertedRegex { source: string; flags: string }

export function convertPcre(pattern: string): ConvertedRegex {
  let flags = '';
  let p = pattern;
  for (;;) {
    const m = /^\(\?([imsx]+)\)/.exec(p);
    if (!m) break;
    for (const f of m[1] ?? '') if (f !== 'x' && !flags.includes(f)) flags += f;
    p = p.slice(m[0].length);
  }
  let out = '';
  let i = 0;
  let lastWasQuant = false;
  let depth = 0;
  const inline: number[] = [];
  const chars = [...p];
  while (i < chars.length) {
    const c = chars[i] as string;
    if (c === '\\') {
      const n = chars[i + 1] ?? '';
      if (n === 'x' && chars[i + 2] === '{') {
        let j = i + 3;
        let hex = '';
        while (j < chars.length && chars[j] !== '}') { hex += chars[j]; j++; }
        const v = parseInt(hex, 16);
        out += v <= 0xff ? '\\x' + v.toString(16).padStart(2, '0') : toBytes(String.fromCodePoint(v));
        i = j + 1;
      } else if (n === 'A') { out += '^'; i += 2; } else if (n === 'z' || n === 'Z') { out += '$'; i += 2; } else if (n === 'h') { out += '[ \\t]'; i += 2; } else if (n === 'e') { out += '\\x1b'; i += 2; } else {
        out += c + toBytes(n);
        i += 2;
      }
      lastWasQuant = false;
      continue;
    }
    if (c === '[') {
      let cls = '[';
      i++;
      if (chars[i] === '^') { cls += '^'; i++; }
      if (chars[i] === ']') { cls += '\\]'; i++; }
      while (i < chars.length && chars[i] !== ']') {
        const d = chars[i] as string;
        if (d === '\\') {
          const n = chars[i + 1] ?? '';
          if (n === 'x' && chars[i + 2] === '{') {
            let j = i + 3;
            let hex = '';
            while (j < chars.length && chars[j] !== '}') { hex += chars[j]; j++; }
            const v = parseInt(hex, 16);
            cls += v <= 0xff ? '\\x' + v.toString(16).padStart(2, '0') : toBytes(String.fromCodePoint(v));
            i = j + 1;
          } else if (n === 'h') { cls += ' \\t'; i += 2; } else if (n === 'e') { cls += '\\x1b'; i += 2; } else { cls += d + toBytes(n); i += 2; }
          continue;
        }
        if (d === '[' && chars[i + 1] === ':') {
          const rest = chars.slice(i).join('');
          const m = /^\[:(\^?)([a-z]+):\]/.exec(rest);
          if (m && posix[m[2] ?? '']) { cls += posix[m[2] ?? '']; i += m[0].length; continue; }
        }
        if (d === '[') { cls += '\\['; i++; continue; }
        cls += toBytes(d);
        i++;
      }
      cls += ']';
      i++;
      out += cls;
      lastWasQuant = false;
      continue;
    }
    if (c === '(' && chars[i + 1] === '?') {
      const rest = chars.slice(i, i + 12).join('');
      if (rest.startsWith('(?>')) { out += '(?:'; i += 3; depth++; lastWasQuant = false; continue; }
      if (rest.startsWith('(?P<')) { out += '(?<'; i += 4; depth++; lastWasQuant = false; continue; }
      const m = /^\(\?([ims]+)\)/.exec(rest);
      if (m) {
        // inline flags mid-pattern: apply to the rest of the enclosing group via a modifier group
        out += `(?${(m[1] ?? '').replace(/[^ims]/g, '')}:`;
        inline.push(depth);
        i += m[0].length;
        lastWasQuant = false;
        continue;
      }
    }
    if ((c === '*' || c === '+' || c === '?') && !(c === '?' && out.endsWith('('))) {
      if (c === '+' && lastWasQuant) { i++; lastWasQuant = false; continue; }
      out += c;
      i++;
      lastWasQuant = true;
      continue;
    }
    if (c === '{') {
      const rest = chars.slice(i, i + 20).join('');
      const m = /^\{\d*(?:,\d*)?\}/.exec(rest);
      if (m && m[0] !== '{}' && m[0] !== '{,}') {
        out += m[0];
        i += m[0].length;
        lastWasQuant = true;
        continue;
      }
      out += '\\{';
      i++;
      lastWasQuant = false;
      continue;
    }
    if (c === '}') { out += '\\}'; i++; lastWasQuant = false; continue; }
    if (c === '(') depth++;
    if (c === ')') {
      while (inline.length > 0 && inline[inline.length - 1] === depth) { out += ')'; inline.pop(); }
      depth--;
    }
    out += toBytes(c);
    i++;
    lastWasQuant = false;
  }
  while (inline.length > 0) { out += ')'; inline.pop(); }
  return { source: out, flags };
}
