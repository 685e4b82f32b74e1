/**
 * Regexes of `matches` and `wildcard`. A pattern must be accepted by V8's linear-time engine (compileLinear: no
 * back-references, no lookahead), or it is a compile error. It then runs on V8's fast backtracking engine with the
 * excessive-backtracks fallback on (enableSafeRegex): a pattern that starts to blow up is re-run on the linear engine
 * after a bounded number of backtracks, so every match costs at most that bound plus linear time. The linear engine
 * alone is ~100x slower on ordinary inputs, hence this arrangement.
 *
 * A leading `(?i)` (Rust/PCRE style) makes the pattern case-insensitive for ASCII letters. The linear engine refuses
 * the `i` flag, so the pattern is rewritten instead: `a` → `[aA]`, and classes gain the other case of their letters.
 */
import { compileLinear } from '../lib/regex.ts';

/**
 * `fast`: validated by the linear engine, run by the backtracking engine with the bounded fallback (default).
 * `linear`: run by the linear engine itself (strictly linear, ~100x slower on ordinary inputs).
 */
export type RegexEngine = 'fast' | 'linear';

/** Throws RegexCompileError when the pattern is invalid or needs backtracking. */
export function compilePattern(source: string, engine: RegexEngine = 'fast'): RegExp {
  const src = source.startsWith('(?i)') ? foldAsciiCase(source.slice(4)) : source;
  const linear = compileLinear(src); // validates, and turns the fallback flags on before the next compilation
  return engine === 'linear' ? linear : new RegExp(src);
}

const isLower = (c: string): boolean => c >= 'a' && c <= 'z';
const isUpper = (c: string): boolean => c >= 'A' && c <= 'Z';
const other = (c: string): string => (isLower(c) ? c.toUpperCase() : isUpper(c) ? c.toLowerCase() : '');

/** Length of the escape sequence starting at `i` (which is a backslash). */
function escapeLength(p: string, i: number): number {
  const c = p[i + 1];
  if (c === undefined) return 1;
  if (c === 'x') return 4;
  if (c === 'u') {
    if (p[i + 2] === '{') {
      const end = p.indexOf('}', i + 3);
      return end < 0 ? 2 : end - i + 1;
    }
    return 6;
  }
  if (c === 'p' || c === 'P') {
    if (p[i + 2] === '{') {
      const end = p.indexOf('}', i + 3);
      return end < 0 ? 2 : end - i + 1;
    }
    return 2;
  }
  if (c === 'c') return 3;
  if (c === 'k' && p[i + 2] === '<') {
    const end = p.indexOf('>', i + 3);
    return end < 0 ? 2 : end - i + 1;
  }
  return 2;
}

/** Rewrite a pattern so that its ASCII letters match either case. */
export function foldAsciiCase(p: string): string {
  let out = '';
  let i = 0;
  while (i < p.length) {
    const c = p[i] as string;
    if (c === '\\') {
      const n = escapeLength(p, i);
      out += p.slice(i, i + n);
      i += n;
      continue;
    }
    if (c === '(' && p[i + 1] === '?' && p[i + 2] === '<' && p[i + 3] !== '=' && p[i + 3] !== '!') {
      const end = p.indexOf('>', i);
      const stop = end < 0 ? p.length : end + 1;
      out += p.slice(i, stop); // a group name stays as written
      i = stop;
      continue;
    }
    if (c === '[') {
      // copy the class, adding the other case of each letter and of each letter range
      let j = i + 1;
      let body = '';
      let extra = '';
      if (p[j] === '^') { body += '^'; j++; }
      if (p[j] === ']') { body += ']'; j++; }
      while (j < p.length && p[j] !== ']') {
        const d = p[j] as string;
        if (d === '\\') {
          const n = escapeLength(p, j);
          body += p.slice(j, j + n);
          j += n;
          continue;
        }
        if (p[j + 1] === '-' && p[j + 2] !== undefined && p[j + 2] !== ']' && p[j + 2] !== '\\') {
          const e = p[j + 2] as string;
          body += d + '-' + e;
          if ((isLower(d) && isLower(e)) || (isUpper(d) && isUpper(e))) extra += other(d) + '-' + other(e);
          j += 3;
          continue;
        }
        body += d;
        extra += other(d);
        j++;
      }
      out += '[' + body + extra + (j < p.length ? ']' : '');
      i = j + 1;
      continue;
    }
    if (c === '{') {
      // a quantifier's digits, or a literal brace
      const end = p.indexOf('}', i);
      if (end > 0 && /^\{\d+(,\d*)?\}$/.test(p.slice(i, end + 1))) {
        out += p.slice(i, end + 1);
        i = end + 1;
        continue;
      }
    }
    const o = other(c);
    out += o ? `[${c}${o}]` : c;
    i++;
  }
  return out;
}
