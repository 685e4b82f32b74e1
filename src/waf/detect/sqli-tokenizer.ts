/**
 * SQL tokenizer with on-the-fly folding, producing a short fingerprint of token classes (see sqli-words.ts).
 *
 * One pass, left to right, constant work per input character, and it stops as soon as the first FINGERPRINT_LEN
 * folded tokens can no longer change. Folding rules:
 * - whitespace and comments are dropped (a comment between two tokens is a separator, as in MySQL), except a
 *   comment that ends the input, which becomes a trailing "c" (the classic `admin'--`);
 * - `/*! ... *\/` (MySQL executable comment) is not a comment: its body is tokenized as code and the pass remembers
 *   that it saw one;
 * - adjacent strings merge (`'a' 'b'`, and `'O''Brien'` read as two strings);
 * - keyword pairs merge (UNION ALL, ORDER BY, IS NOT, NOT IN, DROP TABLE, WAITFOR DELAY ...; see PAIRS);
 * - a unary operator (+ - ~ ! NOT) where an operand is expected is dropped;
 * - number, arithmetic operator, number folds to one number (`1 + 1` is `n`).
 */
import { ATTACK_FUNCTIONS, CATALOGS, EXEC_STATEMENTS, FUNCTIONS, PAIRS, VARIABLE_STATEMENTS, WORDS, isProcedureName } from './sqli-words.ts';
import type { TokenType } from './sqli-words.ts';

export const FINGERPRINT_LEN = 5;
/** Folds only touch the last two tokens, so once this many are held the first FINGERPRINT_LEN are final. */
const HOLD = FINGERPRINT_LEN + 2;

/** Quote context: the input is read as plain SQL (0), or as if it followed an opening ' (39) or " (34). */
export type QuoteContext = 0 | 39 | 34;

export interface TokenizeOptions {
  readonly quote: QuoteContext;
  /** MySQL: `--` starts a comment only when followed by whitespace, a control character or the end. */
  readonly mysqlDashes: boolean;
  /** MySQL: a backslash escapes the next character in a string; false reads strings as ANSI SQL (SQLite, MSSQL). */
  readonly backslashEscapes?: boolean;
}

export interface Fingerprint {
  /** Up to FINGERPRINT_LEN token classes. */
  readonly fp: string;
  /** A MySQL executable comment `/*!` was seen. */
  readonly execComment: boolean;
  /** A block comment was glued between two words (`SELECT/**\/password`). */
  readonly gluedComment: boolean;
}

/** Keywords that act as UNION when a SELECT follows (EXCEPT SELECT ...); otherwise plain words of prose. */
const SET_OPERATORS = new Set(['EXCEPT', 'INTERSECT', 'MINUS']);
const ARITH = new Set(['+', '-', '*', '/', '%', '^', '|', '&', '<<', '>>', 'DIV', 'MOD']);
const UNARY = new Set(['+', '-', '~', '!', 'NOT']);
/** After these classes an operand is expected, so a following + - ~ ! NOT is unary. */
const EXPECTS_OPERAND = new Set<TokenType>(['o', '=', '/', 'i', '&', '|', '(', ',', ';', 'E', 'X', 'k', 'K', 'U', 'B']);
const MAX_KEYWORD_LEN = 40;

function isSpace(c: number): boolean {
  return c <= 0x20 || c === 0x7f || c === 0xa0;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isWordStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x24 || c >= 0x80;
}

function isWordChar(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === 0x2e;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** Index just past the closing `quote` of a string whose body starts at `start` (backslash escapes honoured). */
function stringEnd(s: string, start: number, quote: number, backslash = true): number {
  let i = start;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 0x5c && backslash) {
      i += 2;
      continue;
    }
    if (c === quote) return i + 1;
    i++;
  }
  return n;
}

/**
 * Does "--" (ending before `at`) start a comment? MySQL: only before whitespace, a control character or the end.
 * ANSI: also before anything else except a letter: "--with-option" in prose is an option name, and attacks cut
 * the query with "--", "-- -", "--+" or "--%0a", not with "--word".
 */
function dashComment(s: string, at: number, mysql: boolean): boolean {
  if (at >= s.length) return true;
  const c = s.charCodeAt(at);
  if (isSpace(c)) return true;
  if (mysql) return false;
  if (c === 0x2d) {
    // "-----BEGIN", "---x": a separator line, not a comment.
    let j = at;
    while (j < s.length && s.charCodeAt(j) === 0x2d) j++;
    return j >= s.length || !isWordChar(s.charCodeAt(j));
  }
  return !isAsciiLetter(c);
}

class Folder {
  readonly types: TokenType[] = [];
  /** Upper-case word text (for pair folding) or operator text (for unary/arithmetic folding). */
  readonly texts: string[] = [];
  trailingComment = false;

  get full(): boolean {
    return this.types.length >= HOLD;
  }

  comment(): void {
    this.trailingComment = true;
  }

  push(type: TokenType, text: string): void {
    this.trailingComment = false;
    const types = this.types;
    const texts = this.texts;
    const last = types.length - 1;
    if (last >= 0) {
      const lt = types[last]!;
      const ltext = texts[last]!;
      // Keyword pairs, DECLARE @var and EXEC procedure fold into one token.
      if (ltext !== '' && lt !== 's' && lt !== 'n') {
        let pair: TokenType | undefined;
        if (type === 'v') pair = VARIABLE_STATEMENTS.has(ltext) ? 'X' : undefined;
        else if (text !== '') {
          pair = PAIRS.get(ltext + ' ' + text);
          if (pair === undefined && EXEC_STATEMENTS.has(ltext) && isProcedureName(text)) pair = 'X';
        }
        if (pair !== undefined) {
          types[last] = pair;
          texts[last] = type === 'v' ? '' : ltext + ' ' + text;
          return;
        }
      }
      if (type === 's' && lt === 's') return;
      if (type === 'E' && lt === 'k' && SET_OPERATORS.has(ltext)) types[last] = 'U';
    }
    if ((type === 'o' || type === 'i') && UNARY.has(text) && (last < 0 || EXPECTS_OPERAND.has(types[last]!))) {
      // Keep NOT as a pair candidate after IS only through the pair table above; otherwise it is unary here.
      return;
    }
    const lt = last >= 0 ? types[last] : undefined;
    if (type === 'n' && last >= 1 && (lt === 'o' || lt === 'i' || lt === '/') && types[last - 1] === 'n' && ARITH.has(texts[last]!)) {
      types.pop();
      texts.pop();
      return;
    }
    types.push(type);
    texts.push(text);
  }

  fingerprint(): string {
    let fp = '';
    const n = Math.min(this.types.length, FINGERPRINT_LEN);
    for (let i = 0; i < n; i++) fp += this.types[i]!;
    if (this.trailingComment && fp.length < FINGERPRINT_LEN) fp += 'c';
    return fp;
  }
}

const OPS3 = new Set(['<=>', '->>']);
/** Comparison operators: class "=" (the others are "o"). */
const COMPARISONS = new Set(['<=', '>=', '<>', '!=', '!<', '!>', '==']);
/** First characters of operators (ASCII), as a lookup table. */
const OP_START = new Uint8Array(128);
for (const ch of '=<>+-*/%^|&~!:') OP_START[ch.charCodeAt(0)] = 1;
const OPS2 = new Set(['<=', '>=', '<>', '!=', ':=', '<<', '>>', '!<', '!>', '->', '::', '||', '&&', '==']);

/** Tokenize and fold `s`; see the file comment. */
export function tokenize(s: string, opts: TokenizeOptions): Fingerprint {
  const f = new Folder();
  const n = s.length;
  let i = 0;
  let execComment = false;
  const bs = opts.backslashEscapes !== false;
  // Comment-based evasion: a /*...*/ glued between two words (SELECT/**/password) instead of whitespace.
  let wordBefore = false;
  let gluedComment = false;
  let gluedSeen = false;
  if (opts.quote !== 0) {
    i = stringEnd(s, 0, opts.quote, bs);
    f.push('s', '');
  }
  while (i < n && !f.full) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      wordBefore = false;
      gluedComment = false;
      continue;
    }
    const c1 = i + 1 < n ? s.charCodeAt(i + 1) : -1;
    // Comments.
    if (c === 0x2f && c1 === 0x2a && !(i > 0 && s.charCodeAt(i - 1) === 0x2a)) {
      // "/*" (but not the "/*" of a MIME range "*/*")
      if (i + 2 < n && s.charCodeAt(i + 2) === 0x21) {
        // "/*!" [version digits]: executable comment, tokenize its body.
        execComment = true;
        i += 3;
        let d = 0;
        while (i < n && d < 6 && isDigit(s.charCodeAt(i))) {
          i++;
          d++;
        }
        continue;
      }
      const end = s.indexOf('*/', i + 2);
      gluedComment = wordBefore && end >= 0;
      i = end < 0 ? n : end + 2;
      f.comment();
      continue;
    }
    if (c === 0x2a && c1 === 0x2f && execComment) {
      i += 2;
      continue;
    }
    if (c === 0x2d && c1 === 0x2d && i + 2 < n && isAsciiLetter(s.charCodeAt(i + 2))) {
      // "--option-name": a bareword in prose and command lines (not a comment, see dashComment).
      i += 2;
      while (i < n && (isWordChar(s.charCodeAt(i)) || s.charCodeAt(i) === 0x2d)) i++;
      f.push('w', '');
      continue;
    }
    if (c === 0x23 || (c === 0x2d && c1 === 0x2d && dashComment(s, i + 2, opts.mysqlDashes))) {
      // "#" or "--": to the end of the line.
      const end = s.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      f.comment();
      continue;
    }
    if (!isWordStart(c)) {
      wordBefore = false;
      gluedComment = false;
    }
    // Strings.
    if (c === 0x27 || c === 0x22) {
      i = stringEnd(s, i + 1, c, bs);
      f.push('s', '');
      continue;
    }
    if (c === 0x60) {
      // `quoted identifier`
      const end = s.indexOf('`', i + 1);
      i = end < 0 ? n : end + 1;
      f.push('w', '');
      continue;
    }
    // Numbers.
    if (isDigit(c) || (c === 0x2e && isDigit(c1))) {
      if (c === 0x30 && (c1 === 0x78 || c1 === 0x58)) {
        i += 2;
        while (i < n && isHex(s.charCodeAt(i))) i++;
      } else if (c === 0x30 && (c1 === 0x62 || c1 === 0x42) && i + 2 < n && (s.charCodeAt(i + 2) | 1) === 0x31) {
        i += 2;
        while (i < n && (s.charCodeAt(i) | 1) === 0x31) i++;
      } else {
        while (i < n && isDigit(s.charCodeAt(i))) i++;
        if (i < n && s.charCodeAt(i) === 0x2e) {
          i++;
          while (i < n && isDigit(s.charCodeAt(i))) i++;
        }
        if (i < n && (s.charCodeAt(i) | 0x20) === 0x65) {
          let j = i + 1;
          if (j < n && (s.charCodeAt(j) === 0x2b || s.charCodeAt(j) === 0x2d)) j++;
          if (j < n && isDigit(s.charCodeAt(j))) {
            i = j;
            while (i < n && isDigit(s.charCodeAt(i))) i++;
          }
        }
      }
      f.push('n', '');
      continue;
    }
    // Variables.
    if (c === 0x40) {
      i++;
      if (i < n && s.charCodeAt(i) === 0x40) i++;
      const q = i < n ? s.charCodeAt(i) : -1;
      if (q === 0x27 || q === 0x22 || q === 0x60) i = stringEnd(s, i + 1, q);
      else while (i < n && isWordChar(s.charCodeAt(i))) i++;
      f.push('v', '');
      continue;
    }
    // Words.
    if (isWordStart(c)) {
      const start = i;
      while (i < n && isWordChar(s.charCodeAt(i))) i++;
      const q = i < n ? s.charCodeAt(i) : -1;
      if (i - start === 1 && (q === 0x27 || q === 0x22) && 'nNxXbBeE'.includes(s[start]!)) {
        // N'...', X'...', B'...', E'...' literals.
        i = stringEnd(s, i + 1, q, bs);
        f.push('s', '');
        continue;
      }
      let word = s.slice(start, i);
      if (word.length > 1 && word.endsWith('.')) word = word.slice(0, -1);
      let upper = word.length <= MAX_KEYWORD_LEN ? word.toUpperCase() : '';
      let type: TokenType = (upper !== '' && WORDS.get(upper)) || 'w';
      let j = i;
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      const call = j < n && s.charCodeAt(j) === 0x28;
      if (type === 'w' && !(call && FUNCTIONS.has(upper))) {
        // "select.1", "information_schema.tables": a keyword or catalogue before a dot is that keyword.
        const dot = upper.indexOf('.');
        if (dot > 0) {
          const head = upper.slice(0, dot);
          const t = WORDS.get(head) ?? (CATALOGS.has(head) ? 'k' : undefined);
          if (t !== undefined && !isProcedureName(upper)) {
            type = t;
            upper = head;
            i = start + dot + 1;
          }
        } else if (CATALOGS.has(upper)) {
          type = 'k';
        }
      }
      if (type === 'w' || type === 'k' || type === 'K' || type === 'i') {
        if (call && FUNCTIONS.has(upper)) type = ATTACK_FUNCTIONS.has(upper) ? 'F' : 'f';
        else if (type === 'w' && isProcedureName(upper)) type = 'F';
      }
      if (gluedComment) gluedSeen = true;
      gluedComment = false;
      wordBefore = true;
      f.push(type, upper);
      continue;
    }
    // Punctuation and operators.
    if (c === 0x28 || c === 0x29 || c === 0x2c || c === 0x3b) {
      f.push(s[i] as TokenType, '');
      i++;
      continue;
    }
    if (c < 128 && OP_START[c] === 1) {
      const op3 = s.slice(i, i + 3);
      if (OPS3.has(op3)) {
        f.push(op3 === '<=>' ? '=' : 'o', op3);
        i += 3;
        continue;
      }
      const op2 = op3.slice(0, 2);
      if (OPS2.has(op2)) {
        f.push(op2 === '||' || op2 === '&&' ? '|' : COMPARISONS.has(op2) ? '=' : 'o', op2);
        i += 2;
        continue;
      }
      // A lone ":" (JSON, times) is not an operator; "/" has its own class (paths, URLs, @scope/name in prose).
      if (c === 0x2f) f.push('/', '/');
      else if (c === 0x3d || c === 0x3c || c === 0x3e) f.push('=', s[i]!);
      else if (c !== 0x3a) f.push('o', s[i]!);
      i++;
      continue;
    }
    // Anything else ({ } [ ] ? \ . and the like) separates tokens.
    i++;
  }
  return { fp: f.fingerprint(), execComment, gluedComment: gluedSeen };
}
