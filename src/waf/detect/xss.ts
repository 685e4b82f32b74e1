/**
 * detectXss: would this value, pasted into an HTML page, run script? An HTML5-tokenizer-lite reads the value in
 * each context it could land in:
 *
 * - the data state (between tags): tags, end tags, comments, bogus comments;
 * - inside an attribute value (unquoted, '...', "...", `...`): the value ends at its delimiter, then the rest is
 *   read as further attributes of that tag, then data;
 * - at an attribute name inside a tag (`<a VALUE>`);
 * - as a whole URL (the value of an href or src) and as CSS (url(javascript:...), -moz-binding);
 * - again after re-spelling UTF-7 (+ADw-) and high-bit-stripped US-ASCII (\u00bcscript\u00be).
 *
 * It flags dangerous tags (script, iframe, object, embed, svg, style, base, meta, ... also with a namespace prefix
 * like x:script), event-handler attributes (on*), URL attributes (href, src, action, formaction, xlink:href, data,
 * ...) whose value starts with javascript:, vbscript: or an active data: type once entities are decoded and
 * whitespace and control characters are removed, style attributes with expression()/javascript:/bindings,
 * srcdoc, backtick-quoted attribute values (old IE quoting) and IE conditional comments.
 *
 * Every context is one left-to-right pass with constant work per character (attribute values are normalised on
 * at most MAX_VALUE characters), so the whole check is linear in the input.
 */
import {
  ALWAYS_DANGEROUS_ATTRIBUTES,
  BAD_CSS_ANYWHERE,
  BAD_DATA_PREFIXES,
  BAD_SCHEMES,
  BAD_STYLE,
  DANGEROUS_TAGS,
  EVENTS,
  URL_ATTRIBUTES,
} from './xss-tables.ts';

/** Longest attribute name (other than on*) in the tables. */
const MAX_NAME = 16;

/** How much of an attribute value is decoded and inspected. */
const MAX_VALUE = 1024;

type Context = 'data' | 'name' | 'unquoted' | 34 | 39 | 96;

/**
 * States already explored, shared by the contexts of one input: the scan from a given position in a given state
 * is deterministic, so when a later context reaches a state an earlier one explored (and found clean), it stops.
 * This keeps the total work near two passes however many contexts run. Only for longer inputs.
 */
type Memo = Uint8Array | undefined;
const SEEN_DATA = 1;
const SEEN_ATTR = 2;
const SEEN_TAG_ATTR = 4;
const MEMO_FROM = 256;

function isHtmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

const NAMED: Readonly<Record<string, string>> = {
  colon: ':',
  tab: '\t',
  newline: '\n',
  lpar: '(',
  rpar: ')',
  quot: '"',
  apos: "'",
  amp: '&',
  lt: '<',
  gt: '>',
  sol: '/',
  bsol: '\\',
  nbsp: ' ',
  period: '.',
  comma: ',',
  semi: ';',
  equals: '=',
  num: '#',
  grave: '`',
};

/**
 * Decode character references (numeric with or without ';', and the named ones that matter in URLs and CSS),
 * drop characters a browser ignores in a URL scheme (ASCII whitespace and controls), lower-case ASCII.
 */
export function normalizeValue(raw: string, maxOut = MAX_VALUE): string {
  const s = raw.length > MAX_VALUE ? raw.slice(0, MAX_VALUE) : raw;
  let out = '';
  const n = s.length;
  let i = 0;
  while (i < n && out.length < maxOut) {
    let c = s.charCodeAt(i);
    if (c === 0x26) {
      // "&"
      let j = i + 1;
      let cp = -1;
      if (j < n && s.charCodeAt(j) === 0x23) {
        j++;
        let hex = false;
        if (j < n && (s.charCodeAt(j) | 0x20) === 0x78) {
          hex = true;
          j++;
        }
        const start = j;
        let v = 0;
        while (j < n && j - start < 12) {
          const d = s.charCodeAt(j);
          const dv =
            d >= 0x30 && d <= 0x39 ? d - 0x30 : hex && (d | 0x20) >= 0x61 && (d | 0x20) <= 0x66 ? (d | 0x20) - 0x57 : -1;
          if (dv < 0) break;
          v = v * (hex ? 16 : 10) + dv;
          j++;
        }
        if (j > start) {
          cp = v > 0x10ffff ? 0xfffd : v;
          if (j < n && s.charCodeAt(j) === 0x3b) j++;
        }
      } else {
        const start = j;
        while (j < n && j - start < 10 && isAsciiLetter(s.charCodeAt(j))) j++;
        const rep = NAMED[s.slice(start, j).toLowerCase()];
        if (rep !== undefined) {
          cp = rep.charCodeAt(0);
          if (j < n && s.charCodeAt(j) === 0x3b) j++;
        }
      }
      if (cp >= 0) {
        i = j;
        c = cp;
        if (c <= 0x20 || (c >= 0x7f && c <= 0x9f)) continue;
        out += String.fromCodePoint(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
        continue;
      }
    }
    i++;
    if (c <= 0x20 || (c >= 0x7f && c <= 0x9f)) continue;
    out += s[i - 1]!.toLowerCase();
  }
  return out;
}

/** Longest prefix isBadUrl compares. */
const URL_PREFIX = Math.max(...BAD_SCHEMES.map((p) => p.length), ...BAD_DATA_PREFIXES.map((p) => p.length));

export function isBadUrl(value: string): boolean {
  const v = normalizeValue(value, URL_PREFIX);
  for (const p of BAD_SCHEMES) if (v.startsWith(p)) return true;
  for (const p of BAD_DATA_PREFIXES) if (v.startsWith(p)) return true;
  return false;
}

function stripCssComments(v: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const open = v.indexOf('/*', i);
    if (open < 0) return out + v.slice(i);
    out += v.slice(i, open);
    const close = v.indexOf('*/', open + 2);
    if (close < 0) return out;
    i = close + 2;
  }
}

/** CSS escapes: backslash and 1-6 hex digits is that code point, backslash and another character is that one. */
function cssUnescape(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    if (v.charCodeAt(i) !== 0x5c) {
      out += v[i];
      continue;
    }
    let j = i + 1;
    let cp = 0;
    while (j < v.length && j - i <= 6) {
      const d = v.charCodeAt(j) | 0x20;
      const dv = d >= 0x30 && d <= 0x39 ? d - 0x30 : d >= 0x61 && d <= 0x66 ? d - 0x57 : -1;
      if (dv < 0) break;
      cp = cp * 16 + dv;
      j++;
    }
    if (j > i + 1) {
      out += String.fromCodePoint(cp > 0x10ffff || cp === 0 ? 0xfffd : cp).toLowerCase();
      i = j - 1;
    }
  }
  return out;
}

function isBadStyle(value: string): boolean {
  let v = normalizeValue(value);
  if (v.includes('/*')) v = stripCssComments(v);
  if (v.includes('\\')) v = cssUnescape(v);
  for (const p of BAD_STYLE) if (v.includes(p)) return true;
  return false;
}

/** Is this attribute (lower-cased name) dangerous? `inTag`: we saw the tag open; else the value may be pasted in one. */
function badAttribute(name: string, value: string, quote: number, inTag: boolean): boolean {
  if (name.length > 2 && name.charCodeAt(0) === 0x6f && name.charCodeAt(1) === 0x6e) {
    // on*: in a tag we saw, any; in a pasted attribute, a known event.
    if (inTag || EVENTS.has(name.slice(2))) return true;
  }
  if (inTag && quote === 0x60) return true;
  // Netscape JavaScript entities: <br size="&{alert(1)}">
  if (inTag && value.startsWith('&{')) return true;
  if (ALWAYS_DANGEROUS_ATTRIBUTES.has(name)) return true;
  const colon = name.lastIndexOf(':');
  const local = colon >= 0 ? name.slice(colon + 1) : name;
  if (URL_ATTRIBUTES.has(name) || URL_ATTRIBUTES.has(local)) {
    if (isBadUrl(value)) return true;
    if (name === 'content' && normalizeValue(value).includes('url=javascript:')) return true;
  }
  if (local === 'style' && isBadStyle(value)) return true;
  return false;
}

/** Read attributes from `i` until ">" (returned as the index after it) or the end; -1 when one is dangerous. */
function attributes(s: string, i: number, inTag: boolean, memo: Memo): number {
  const n = s.length;
  const bit = inTag ? SEEN_TAG_ATTR : SEEN_ATTR;
  for (;;) {
    while (i < n && (isHtmlSpace(s.charCodeAt(i)) || s.charCodeAt(i) === 0x2f)) i++;
    if (i >= n) return n;
    if (memo !== undefined) {
      // An earlier context reached this very state and found nothing from here on.
      if ((memo[i]! & bit) !== 0) return n;
      memo[i]! |= bit;
    }
    if (s.charCodeAt(i) === 0x3e) return i + 1;
    const nameStart = i;
    i++; // the first character may be "=" (HTML5: part of the name)
    while (i < n) {
      const c = s.charCodeAt(i);
      if (isHtmlSpace(c) || c === 0x2f || c === 0x3e || c === 0x3d) break;
      i++;
    }
    const nameEnd = i;
    let j = i;
    while (j < n && isHtmlSpace(s.charCodeAt(j))) j++;
    if (j >= n || s.charCodeAt(j) !== 0x3d) continue; // no value: nothing to run
    j++;
    while (j < n && isHtmlSpace(s.charCodeAt(j))) j++;
    const q = j < n ? s.charCodeAt(j) : -1;
    let value: string;
    let quote = 0;
    if (q === 0x22 || q === 0x27 || q === 0x60) {
      quote = q;
      const end = s.indexOf(q === 0x22 ? '"' : q === 0x27 ? "'" : '`', j + 1);
      value = s.slice(j + 1, end < 0 ? n : end);
      i = end < 0 ? n : end + 1;
    } else {
      let k = j;
      while (k < n && !isHtmlSpace(s.charCodeAt(k)) && s.charCodeAt(k) !== 0x3e) k++;
      value = s.slice(j, k);
      i = k;
    }
    // Attribute names we care about are short; longer ones are read past without a look-up.
    if (nameEnd - nameStart > MAX_NAME && (s.charCodeAt(nameStart) | 0x20) !== 0x6f) continue;
    const name = s.slice(nameStart, Math.min(nameEnd, nameStart + 64)).toLowerCase();
    if (badAttribute(name, value, quote, inTag)) return -1;
  }
}

function badComment(body: string): boolean {
  // IE conditional comments, comments with backticks (old IE parsed them as markup), server-side includes.
  const b = body.trimStart().toLowerCase();
  if (b.startsWith('[if') || b.startsWith('[endif') || b.includes('`') || b.includes('<![endif')) return true;
  return b.length > 1 && b.charCodeAt(0) === 0x23 && isAsciiLetter(b.charCodeAt(1));
}

/** Data state from `i`. */
function data(s: string, i: number, memo: Memo): boolean {
  const n = s.length;
  while (i < n) {
    const lt = s.indexOf('<', i);
    if (lt < 0) return false;
    if (memo !== undefined) {
      if ((memo[lt]! & SEEN_DATA) !== 0) return false;
      memo[lt]! |= SEEN_DATA;
    }
    i = lt + 1;
    if (i >= n) return false;
    const c = s.charCodeAt(i);
    if (c === 0x21) {
      // "<!"
      if (s.startsWith('--', i + 1)) {
        const end = s.indexOf('-->', i + 3);
        const body = s.slice(i + 3, end < 0 ? Math.min(n, i + 3 + MAX_VALUE) : end);
        if (badComment(body)) return true;
        i = end < 0 ? n : end + 3;
      } else {
        const end = s.indexOf('>', i);
        const body = s.slice(i + 1, end < 0 ? Math.min(n, i + 1 + MAX_VALUE) : end);
        if (badComment(body) || body.toLowerCase().startsWith('[if')) return true;
        i = end < 0 ? n : end + 1;
      }
      continue;
    }
    if (c === 0x3f) {
      // "<?": bogus comment; "<?import" loaded HTML components in old IE.
      if (s.slice(i + 1, i + 7).toLowerCase() === 'import') return true;
      const end = s.indexOf('>', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === 0x2f) {
      // end tag: attributes are ignored by browsers
      const end = s.indexOf('>', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (!isAsciiLetter(c)) continue;
    const start = i;
    while (i < n) {
      const d = s.charCodeAt(i);
      if (isHtmlSpace(d) || d === 0x2f || d === 0x3e) break;
      i++;
    }
    const name = s.slice(start, Math.min(i, start + 64)).toLowerCase();
    const inner = name.indexOf('<');
    if (inner >= 0) {
      // "<scr<script>ipt>": read again from the inner "<", as a filter that strips "<script>" would leave it.
      i = start + inner;
      continue;
    }
    const colon = name.lastIndexOf(':');
    if (DANGEROUS_TAGS.has(colon >= 0 ? name.slice(colon + 1) : name)) return true;
    i = attributes(s, i, true, memo);
    if (i < 0) return true;
  }
  return false;
}

function scan(s: string, ctx: Context, memo: Memo): boolean {
  if (ctx === 'data') return data(s, 0, memo);
  let i: number;
  if (ctx === 'name') {
    i = 0;
  } else if (ctx === 'unquoted') {
    i = 0;
    while (i < s.length && !isHtmlSpace(s.charCodeAt(i)) && s.charCodeAt(i) !== 0x3e) i++;
  } else {
    const end = s.indexOf(String.fromCharCode(ctx));
    if (end < 0) return false;
    i = end + 1;
  }
  i = attributes(s, i, false, memo);
  if (i < 0) return true;
  return data(s, i, memo);
}

/** Values this long are cut: script has to start somewhere in the first part anyway. */
const MAX_SCAN = 65536;

/**
 * Other spellings of "<" that some browser once decoded: UTF-7 (+ADw-) and US-ASCII with the high bit dropped
 * (\u00bc is "<" and \u00be is ">" then). Returns the re-spelled text, or undefined when there is none.
 */
function respell(s: string): string | undefined {
  let out: string | undefined;
  if (s.includes('+AD')) {
    out = s.replaceAll('+ADw-', '<').replaceAll('+AD4-', '>').replaceAll('+ACI-', '"').replaceAll('+ACc-', "'");
  }
  if (s.includes('\u00bc')) {
    let t = '';
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      t += c >= 0x80 && c <= 0xff ? String.fromCharCode(c & 0x7f) : s[i];
    }
    out = t;
  }
  return out === s ? undefined : out;
}

/**
 * The whole value as a URL: a script scheme spelled with references or control characters, or followed by code
 * (a call, a template, an assignment), so that the title "JavaScript: The Good Parts" stays clean; active data:
 * URLs need their comma.
 */
function isBadWholeUrl(s: string): boolean {
  if (!isBadUrl(s)) return false;
  const plain = s.trimStart().toLowerCase();
  if (!BAD_SCHEMES.some((p) => plain.startsWith(p)) && !plain.startsWith('data:')) return true;
  const colon = s.indexOf(':');
  const rest = s.slice(colon + 1, colon + 1 + MAX_VALUE);
  return /[(`=,&%\\]/.test(rest);
}

function detect(s: string): boolean {
  const memo: Memo = s.length > MEMO_FROM ? new Uint8Array(s.length + 1) : undefined;
  if (isBadWholeUrl(s)) return true;
  if (s.includes('<') && scan(s, 'data', memo)) return true;
  if (s.includes('(')) {
    const v = normalizeValue(s);
    for (const p of BAD_CSS_ANYWHERE) if (v.includes(p)) return true;
  }
  if (!s.includes('=')) return false;
  if (scan(s, 'name', memo)) return true;
  if (scan(s, 'unquoted', memo)) return true;
  if (s.includes('"') && scan(s, 34, memo)) return true;
  if (s.includes("'") && scan(s, 39, memo)) return true;
  if (s.includes('`') && scan(s, 96, memo)) return true;
  return false;
}

export function detectXss(input: string): boolean {
  const s = input.length > MAX_SCAN ? input.slice(0, MAX_SCAN) : input;
  if (detect(s)) return true;
  const other = respell(s);
  return other !== undefined && detect(other);
}
