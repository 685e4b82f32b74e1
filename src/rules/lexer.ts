/** Lexer: source text → tokens with offsets. Keywords are returned as identifiers; the parser gives them meaning. */
import { RuleSyntaxError } from './errors.ts';

export type TokenKind = 'ident' | 'string' | 'int' | 'ip' | 'list' | 'punct' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier name, decoded string, IP/CIDR text, list name (without `$`) or punctuation. */
  readonly text: string;
  /** For `int` tokens. */
  readonly num: number;
  readonly start: number;
  readonly end: number;
}

/** Longest source accepted, in characters. */
export const MAX_SOURCE_LENGTH = 16_384;

const PUNCT2 = ['==', '!=', '<=', '>=', '&&', '||', '^^', '..'];
const PUNCT1 = '(){}[],*<>~!';

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const isIdentStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);

export function tokenize(src: string): Token[] {
  if (src.length > MAX_SOURCE_LENGTH) {
    throw new RuleSyntaxError({
      code: 'rules.too_long',
      message: `expression is ${src.length} characters long; the limit is ${MAX_SOURCE_LENGTH}`,
      source: src,
      offset: MAX_SOURCE_LENGTH,
    });
  }
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  const tok = (kind: TokenKind, text: string, start: number, end: number, num = 0): void => {
    out.push({ kind, text, num, start, end });
  };
  const fail = (message: string, offset: number, length = 1, code = 'rules.syntax'): never => {
    throw new RuleSyntaxError({ code, message, source: src, offset, length });
  };

  while (i < n) {
    const c = src.charCodeAt(i);
    // whitespace
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    // comments: # to end of line
    if (c === 35) {
      while (i < n && src.charCodeAt(i) !== 10) i++;
      continue;
    }
    const start = i;
    // raw strings r"..." and r#"..."#
    if (c === 114 && (src[i + 1] === '"' || (src[i + 1] === '#' && /^#+"/.test(src.slice(i + 1, i + 20))))) {
      let hashes = 0;
      let j = i + 1;
      while (src[j] === '#') { hashes++; j++; }
      j++; // opening quote
      const close = '"' + '#'.repeat(hashes);
      const end = src.indexOf(close, j);
      if (end < 0) fail('unterminated raw string: expected a closing ' + JSON.stringify(close), start, 1, 'rules.unterminated_string');
      tok('string', src.slice(j, end), start, end + close.length);
      i = end + close.length;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n) {
        const d = src.charCodeAt(j);
        if (isIdentPart(d)) j++;
        else if (d === 46 && j + 1 < n && isIdentStart(src.charCodeAt(j + 1))) j += 2;
        else break;
      }
      const word = src.slice(i, j);
      // an IPv6 address starting with hex letters: fe80::1, abcd:ef01::
      if (src.charCodeAt(j) === 58 && /^[0-9a-fA-F]{1,4}$/.test(word)) {
        i = lexAddress(src, i, tok, fail);
        continue;
      }
      tok('ident', word, i, j);
      i = j;
      continue;
    }
    if (isDigit(c) || (c === 58 && src.charCodeAt(i + 1) === 58)) {
      i = lexAddress(src, i, tok, fail);
      continue;
    }
    const prev = out[out.length - 1];
    if (c === 45 && prev && prev.kind === 'ip' && prev.end === i) {
      fail("ranges are written with '..' in expressions, e.g. {10.0.0.1..10.0.0.9}", i, 1, 'rules.bad_ip');
    }
    if (c === 45 && isDigit(src.charCodeAt(i + 1))) {
      let j = i + 1;
      while (j < n && isDigit(src.charCodeAt(j))) j++;
      if (j < n && (isIdentPart(src.charCodeAt(j)) || src[j] === ':' || (src[j] === '.' && src[j + 1] !== '.'))) {
        fail('invalid number: a negative number has digits only', start, j - start + 1, 'rules.bad_number');
      }
      const v = Number(src.slice(i, j));
      if (!Number.isSafeInteger(v)) fail('number out of range', start, j - start, 'rules.bad_number');
      tok('int', src.slice(i, j), start, j, v);
      i = j;
      continue;
    }
    if (c === 34) {
      i = lexString(src, i, tok, fail);
      continue;
    }
    if (c === 36) {
      let j = i + 1;
      while (j < n && isIdentPart(src.charCodeAt(j))) j++;
      if (j === i + 1) fail("expected a list name after '$' (letters, digits and '_')", i + 1, 1);
      tok('list', src.slice(i + 1, j), start, j);
      i = j;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      tok('punct', two, i, i + 2);
      i += 2;
      continue;
    }
    if (PUNCT1.includes(src[i] as string)) {
      tok('punct', src[i] as string, i, i + 1);
      i++;
      continue;
    }
    if (c === 61) fail("unexpected '='; use '==' or 'eq' to compare", i, 1);
    if (c === 38) fail("unexpected '&'; use '&&' or 'and'", i, 1);
    if (c === 124) fail("unexpected '|'; use '||' or 'or'", i, 1);
    if (c === 39) fail("unexpected \"'\"; strings are written in double quotes", i, 1);
    fail(`unexpected character ${JSON.stringify(src[i])}`, i, 1);
  }
  tok('eof', '', n, n);
  return out;
}

type Emit = (kind: TokenKind, text: string, start: number, end: number, num?: number) => void;
type Fail = (message: string, offset: number, length?: number, code?: string) => never;

/** An int, an IPv4/IPv6 address or a CIDR, starting at `i`. Returns the offset after it. */
function lexAddress(src: string, i: number, tok: Emit, fail: Fail): number {
  const n = src.length;
  let j = i;
  while (j < n) {
    const d = src.charCodeAt(j);
    if (d === 46 && src.charCodeAt(j + 1) === 46) break; // range operator '..'
    if (isHex(d) || d === 58 || d === 46) j++;
    else break;
  }
  let text = src.slice(i, j);
  const isAddr = text.includes(':') || text.includes('.');
  if (isAddr && src.charCodeAt(j) === 47) {
    let k = j + 1;
    while (k < n && isDigit(src.charCodeAt(k))) k++;
    if (k === j + 1) fail("expected a prefix length after '/'", j + 1, 1, 'rules.bad_ip');
    j = k;
    text = src.slice(i, j);
  }
  if (j < n && isIdentPart(src.charCodeAt(j))) {
    while (j < n && isIdentPart(src.charCodeAt(j))) j++;
    fail(`invalid ${isAddr ? 'IP address' : 'number'} ${JSON.stringify(src.slice(i, j))}`, i, j - i, isAddr ? 'rules.bad_ip' : 'rules.bad_number');
  }
  if (!isAddr) {
    if (!/^\d+$/.test(text)) fail(`invalid number ${JSON.stringify(text)}`, i, j - i, 'rules.bad_number');
    const v = Number(text);
    if (!Number.isSafeInteger(v)) fail('number out of range', i, j - i, 'rules.bad_number');
    tok('int', text, i, j, v);
    return j;
  }
  tok('ip', text, i, j);
  return j;
}

function lexString(src: string, i: number, tok: Emit, fail: Fail): number {
  const n = src.length;
  const start = i;
  let j = i + 1;
  let value = '';
  while (true) {
    if (j >= n) fail('unterminated string: expected a closing \'"\'', start, 1, 'rules.unterminated_string');
    const ch = src[j] as string;
    if (ch === '"') break;
    if (ch === '\\') {
      const e = src[j + 1];
      if (e === undefined) fail('unterminated string: expected a closing \'"\'', start, 1, 'rules.unterminated_string');
      if (e === '"' || e === '\\') { value += e; j += 2; continue; }
      if (e === 'n') { value += '\n'; j += 2; continue; }
      if (e === 'r') { value += '\r'; j += 2; continue; }
      if (e === 't') { value += '\t'; j += 2; continue; }
      if (e === 'x') {
        const hex = src.slice(j + 2, j + 4);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail('expected two hex digits after \\x', j, 2, 'rules.bad_escape');
        value += String.fromCharCode(parseInt(hex, 16));
        j += 4;
        continue;
      }
      // any other escape is kept as written, so regexes like "\d+" read naturally
      value += ch + e;
      j += 2;
      continue;
    }
    value += ch;
    j++;
  }
  tok('string', value, start, j + 1);
  return j + 1;
}
