/**
 * `wildcard` patterns: `*` matches any run of characters (including none), `\*` a literal star, `\\` a backslash;
 * everything else is literal. The whole value must match. `wildcard` ignores case; `strict wildcard` does not.
 * Compiled to an anchored regexp checked by the linear-time engine (which refuses the `i` flag, hence the lower-casing).
 */
import { compilePattern } from './pattern.ts';
import type { RegexEngine } from './pattern.ts';

export interface Matcher {
  test(value: string): boolean;
}

/** Compile a wildcard pattern. Case-insensitive matching lower-cases both sides (the linear engine has no `i` flag). */
export function wildcardToRegExp(pattern: string, caseSensitive: boolean, engine: RegexEngine = 'fast'): Matcher {
  if (!caseSensitive) {
    const re = wildcardToRegExp(pattern.toLowerCase(), true, engine);
    return { test: (value) => re.test(value.toLowerCase()) };
  }
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
      re += '\\' + pattern[i + 1];
      i++;
    } else if (c === '*') {
      // collapse runs of stars
      if (!re.endsWith('[\\s\\S]*')) re += '[\\s\\S]*';
    } else {
      re += c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    }
  }
  return compilePattern(re + '$', engine);
}
