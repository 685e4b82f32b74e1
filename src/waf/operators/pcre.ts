/**
 * PCRE → JavaScript regex conversion for the (RE2-compatible) CRS patterns, on byte strings.
 *
 * V8's linear-time engine refuses the `i` flag and `(?i:...)` modifiers, so case-insensitivity is compiled into the
 * pattern instead: letters become `[aA]`, classes get both cases. Also: leading `(?s)`/`(?m)` become JS flags,
 * possessive quantifiers lose their `+`, atomic groups become plain groups, `\x{HH}` becomes `\xHH`, POSIX classes
 * are expanded, `\A`/`\z`/`\Z` become anchors, and non-ASCII literals become their UTF-8 bytes (PCRE without UTF mode
 * matches bytes).
 */
const posix: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  xdigit: '0-9A-Fa-f', punct: '!-\\/:-@\\[-`{-~', word: '\\w', blank: ' \\t', cntrl: '\\x00-\\x1f\\x7f', print: '\\x20-\\x7e', graph: '\\x21-\\x7e',
};

function hex2(n: number): string { return '\\x' + n.toString(16).padStart(2, '0'); }

function toBytes(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x80) return ch;
  let out = '';
  for (const b of Buffer.from(ch, 'utf8')) out += hex2(b);
  return out;
}

const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isLower = (c: number): boolean => c >= 97 && c <= 122;

export interface ConvertedRegex { source: string; flags: string }

interface ClassItem { text: string; code?: number }

/** Reads `\x{..}` at chars[i] === '\\' && chars[i+1] === 'x' && chars[i+2] === '{'; returns [code, next index]. */
function readBraceHex(chars: string[], i: number): [number, number] {
  let j = i + 3;
  let hex = '';
  while (j < chars.length && chars[j] !== '}') { hex += chars[j]; j++; }
  return [parseInt(hex, 16), j + 1];
}

function convertClass(chars: string[], start: number, ci: boolean): [string, number] {
  let i = start + 1;
  let neg = false;
  if (chars[i] === '^') { neg = true; i++; }
  const items: ClassItem[] = [];
  let first = true;
  while (i < chars.length && (chars[i] !== ']' || first)) {
    first = false;
    const d = chars[i] as string;
    if (d === '\\') {
      const n = chars[i + 1] ?? '';
      if (n === 'x' && chars[i + 2] === '{') {
        const [v, next] = readBraceHex(chars, i);
        if (v <= 0xff) items.push({ text: hex2(v), code: v });
        else for (const b of Buffer.from(String.fromCodePoint(v), 'utf8')) items.push({ text: hex2(b), code: b });
        i = next;
        continue;
      }
      if (n === 'x' && /^[0-9a-fA-F]{2}$/.test((chars[i + 2] ?? '') + (chars[i + 3] ?? ''))) {
        const v = parseInt((chars[i + 2] ?? '') + (chars[i + 3] ?? ''), 16);
        items.push({ text: hex2(v), code: v });
        i += 4;
        continue;
      }
      if (n === 'h') { items.push({ text: ' \\t' }); i += 2; continue; }
      if (n === 'e') { items.push({ text: '\\x1b', code: 0x1b }); i += 2; continue; }
      const simple: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11 };
      if (simple[n] !== undefined) { items.push({ text: '\\' + n, code: simple[n] }); i += 2; continue; }
      if (/[a-zA-Z0-9]/.test(n)) { items.push({ text: '\\' + n }); i += 2; continue; }
      const c = n.codePointAt(0) ?? 0;
      if (c >= 0x80) { for (const b of Buffer.from(n, 'utf8')) items.push({ text: hex2(b), code: b }); } else items.push({ text: '\\' + n, code: c });
      i += 2;
      continue;
    }
    if (d === '[' && chars[i + 1] === ':') {
      const m = /^\[:([a-z]+):\]/.exec(chars.slice(i, i + 12).join(''));
      const exp = m ? posix[m[1] ?? ''] : undefined;
      if (m && exp !== undefined) { items.push({ text: exp }); i += m[0].length; continue; }
    }
    if (d === '-' ) { items.push({ text: '-' }); i++; continue; }
    const c = d.codePointAt(0) ?? 0;
    if (c >= 0x80) { for (const b of Buffer.from(d, 'utf8')) items.push({ text: hex2(b), code: b }); } else items.push({ text: d === '[' || d === ']' || d === '^' ? '\\' + d : d, code: c });
    i++;
  }
  // build, with ranges and case folding
  let out = '';
  for (let k = 0; k < items.length; k++) {
    const it = items[k] as ClassItem;
    const dash = items[k + 1];
    const hi = items[k + 2];
    if (dash?.text === '-' && dash.code === undefined && it.code !== undefined && hi?.code !== undefined && k + 2 < items.length) {
      out += it.text + '-' + hi.text;
      if (ci) {
        const lo = it.code;
        const up = hi.code;
        const a1 = Math.max(lo, 65); const b1 = Math.min(up, 90);
        if (a1 <= b1) out += hex2(a1 + 32) + '-' + hex2(b1 + 32);
        const a2 = Math.max(lo, 97); const b2 = Math.min(up, 122);
        if (a2 <= b2) out += hex2(a2 - 32) + '-' + hex2(b2 - 32);
      }
      k += 2;
      continue;
    }
    if (it.text === '-' && it.code === undefined) { out += '\\-'; continue; }
    out += it.text;
    if (ci && it.code !== undefined) {
      if (isUpper(it.code)) out += String.fromCharCode(it.code + 32);
      else if (isLower(it.code)) out += String.fromCharCode(it.code - 32);
    }
  }
  return [`[${neg ? '^' : ''}${out}]`, i + 1];
}

/**
 * `foldCase` (default true) compiles a leading `(?i)` into the pattern (needed for the linear engine); with false it
 * becomes the JS `i` flag (faster on the backtracking engine). Inline `(?i)` / `(?i:` inside a pattern always fold.
 */
export function convertPcre(pattern: string, foldCase = true): ConvertedRegex {
  let flags = '';
  let ci = false;
  let p = pattern;
  for (;;) {
    const m = /^\(\?([imsx]+)\)/.exec(p);
    if (!m) break;
    for (const f of m[1] ?? '') {
      if (f === 'i' && foldCase) ci = true;
      else if (f === 'i') { if (!flags.includes('i')) flags += 'i'; }
      else if (f !== 'x' && !flags.includes(f)) flags += f;
    }
    p = p.slice(m[0].length);
  }
  let out = '';
  let i = 0;
  let lastWasQuant = false;
  const ciStack: boolean[] = [];
  const chars = [...p];
  while (i < chars.length) {
    const c = chars[i] as string;
    if (c === '\\') {
      const n = chars[i + 1] ?? '';
      if (n === 'x' && chars[i + 2] === '{') {
        const [v, next] = readBraceHex(chars, i);
        const lit = v <= 0xff ? String.fromCharCode(v) : '';
        out += v <= 0xff ? (ci && /[a-zA-Z]/.test(lit) ? `[${lit.toLowerCase()}${lit.toUpperCase()}]` : hex2(v)) : toBytes(String.fromCodePoint(v));
        i = next;
      } else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test((chars[i + 2] ?? '') + (chars[i + 3] ?? ''))) {
        const v = parseInt((chars[i + 2] ?? '') + (chars[i + 3] ?? ''), 16);
        const lit = String.fromCharCode(v);
        out += ci && /[a-zA-Z]/.test(lit) ? `[${lit.toLowerCase()}${lit.toUpperCase()}]` : hex2(v);
        i += 4;
      } else if (n === 'A') { out += '^'; i += 2; } else if (n === 'z' || n === 'Z') { out += '$'; i += 2; } else if (n === 'h') { out += '[ \\t]'; i += 2; } else if (n === 'e') { out += '\\x1b'; i += 2; } else {
        out += c + toBytes(n);
        i += 2;
      }
      lastWasQuant = false;
      continue;
    }
    if (c === '[') {
      const [cls, next] = convertClass(chars, i, ci);
      out += cls;
      i = next;
      lastWasQuant = false;
      continue;
    }
    if (c === '(') {
      const rest = chars.slice(i, i + 12).join('');
      const inl = /^\(\?([a-z]*)(?:-([a-z]+))?\)/.exec(rest);
      if (inl && rest.startsWith('(?') ) {
        // inline flags: apply to the rest of the enclosing group
        if ((inl[1] ?? '').includes('i')) ci = true;
        if ((inl[2] ?? '').includes('i')) ci = false;
        i += inl[0].length;
        lastWasQuant = false;
        continue;
      }
      const mod = /^\(\?([a-z]*)(?:-([a-z]+))?:/.exec(rest);
      ciStack.push(ci);
      if (mod && ((mod[1] ?? '') !== '' || mod[2] !== undefined)) {
        if ((mod[1] ?? '').includes('i')) ci = true;
        if ((mod[2] ?? '').includes('i')) ci = false;
        out += '(?:';
        i += mod[0].length;
      } else if (rest.startsWith('(?>')) { out += '(?:'; i += 3; } else if (rest.startsWith('(?P<')) { out += '(?<'; i += 4; } else { out += '('; i++; }
      lastWasQuant = false;
      continue;
    }
    if (c === ')') {
      ci = ciStack.pop() ?? ci;
      out += ')';
      i++;
      lastWasQuant = false;
      continue;
    }
    if ((c === '*' || c === '+' || c === '?') && !(c === '?' && out.endsWith('('))) {
      if (c === '+' && lastWasQuant) { i++; lastWasQuant = false; continue; }
      out += c;
      i++;
      lastWasQuant = true;
      continue;
    }
    if (c === '{') {
      const m = /^\{\d*(?:,\d*)?\}/.exec(chars.slice(i, i + 20).join(''));
      if (m && m[0] !== '{}' && m[0] !== '{,}' && !m[0].startsWith('{,')) {
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
    const code = c.charCodeAt(0);
    if (ci && (isUpper(code) || isLower(code))) out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
    else out += toBytes(c);
    i++;
    lastWasQuant = false;
  }
  return { source: out, flags };
}
