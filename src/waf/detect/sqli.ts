/**
 * detectSqli: does a value look like SQL injection? Tokenizes the value as plain SQL and, when it holds a quote
 * character, as if it followed an opening ' or " (the value is pasted inside a string literal); with both comment
 * flavours when `--` is ambiguous (ANSI: always a comment; MySQL: only before whitespace), and with and without
 * backslash escapes in strings when a quote follows a backslash. Each reading gives a
 * fingerprint of at most five folded token classes, which is checked against our rules (sqli-rules.ts), then
 * against a short whitelist of benign shapes.
 */
import { execCommentIsSql, matchesRules } from './sqli-rules.ts';
import { tokenize } from './sqli-tokenizer.ts';
import type { QuoteContext } from './sqli-tokenizer.ts';

export interface SqliResult {
  readonly isSqli: boolean;
  /** The fingerprint that matched, else the plain-context fingerprint. */
  readonly fingerprint: string;
}

/**
 * Values are cut to this length: the work stays bounded (linear, ~0.1 ms at most) while a breakout padded by a long
 * string (`xxxx...' OR 1=1`) is still seen in the quote context.
 */
const MAX_SCAN = 65536;

function ambiguousDashes(s: string): boolean {
  let i = s.indexOf('--');
  while (i >= 0) {
    const c = i + 2 < s.length ? s.charCodeAt(i + 2) : 0x20;
    if (c > 0x20) return true;
    i = s.indexOf('--', i + 2);
  }
  return false;
}

/**
 * Whitelist: shapes the rules accept that are common in benign text.
 * - "s&s", "s&s)" and "s;" in the " reading: quoted words in prose.
 * - "sc", "sowc" and "s;" in the plain reading: a leading quoted string, (an operator and a word) and a trailing comment
 *   (a JSON part followed by a multipart boundary line).
 * - "s&s" in the plain reading: two quoted words joined by and/or ('a' and 'b').
 * - a trailing `#...` comment in a quote reading when the quote comes back after the "#" (`'#hash'`, `"/foo#1"`:
 *   a quoted token with a "#" in it), and "sc" when the "#" does not directly follow the closing quote
 *   (`'tag' x #1`: hashtags, issue numbers). `--` and `/*` stay suspicious.
 */
function benign(s: string, fp: string, quote: QuoteContext): boolean {
  // A value that is two quoted words joined by AND/OR ('a' and 'b'), read as plain SQL.
  if (quote === 0 && (fp === 's&s' || fp.startsWith('s&s)'))) return true;
  // A value that starts with a quoted string and ends in a comment ("{"a": 1}\n--boundary"): the breakout form
  // admin'-- is caught in the quote context, where the leading string is the closed one.
  if (quote === 0 && (fp === 'sc' || fp === 'sowc' || fp === 's;')) return true;
  // Prose quotes with double quotes: '"A," or "B"', '"A" or "B") and', 'modified.";'. SQL strings are single-quoted
  // (double quotes are identifiers outside MySQL), so these shapes count only in the ' reading.
  if (quote === 34 && (fp === 's&s' || fp.startsWith('s&s)') || fp === 's;')) return true;
  if (quote !== 0 && fp.endsWith('c')) {
    const hash = s.lastIndexOf('#');
    if (hash > 0 && s.indexOf('--') < 0 && s.indexOf('/*') < 0) {
      // '#hash', "/foo#1": a quoted token with a "#" inside (the quote comes back after it).
      if (s.indexOf(String.fromCharCode(quote), hash) > 0) return true;
      if (fp === 'sc') {
        const before = s.slice(0, hash).trimEnd();
        const closes = before.length > 0 && before.charCodeAt(before.length - 1) === quote;
        if (!closes) return true;
      }
    }
  }
  return false;
}

export function detectSqli(input: string): SqliResult {
  const s = input.length > MAX_SCAN ? input.slice(0, MAX_SCAN) : input;
  const quotes: QuoteContext[] = [0];
  if (s.includes("'")) quotes.push(39);
  if (s.includes('"')) quotes.push(34);
  const flavours = ambiguousDashes(s) ? [false, true] : [false];
  // Backslash escapes are MySQL's; SQLite, MSSQL and standard PostgreSQL strings end at admin\' too.
  const escapes = s.includes("\\'") || s.includes('\\"') ? [true, false] : [true];
  let plain = '';
  for (const quote of quotes) {
    for (const mysqlDashes of flavours) {
      for (const backslashEscapes of escapes) {
        const { fp, execComment, gluedComment } = tokenize(s, { quote, mysqlDashes, backslashEscapes });
        if (quote === 0 && !mysqlDashes && backslashEscapes) plain = fp;
        const evasion = (execComment || gluedComment) && execCommentIsSql(fp);
        if ((matchesRules(fp) || evasion) && !benign(s, fp, quote)) {
          return { isSqli: true, fingerprint: fp };
        }
      }
    }
  }
  return { isSqli: false, fingerprint: plain };
}
