/**
 * `wildcard` patterns: `*` matches any run of characters (including none), `\*` a literal star, `\\` a backslash;
 * everything else is literal. The whole value must match. `wildcard` ignores case; `strict wildcard` does not.
 *
 * Matched without regexes: the pattern splits at its stars into a prefix, middle segments and a suffix; the value
 * must start with the prefix, end with the suffix, and contain the middle segments in order between them (finding
 * each at its leftmost position is enough, since stars match anything). Cost: O(value length × segment length) at
 * worst, with no backtracking.
 */

export interface Matcher {
  test(value: string): boolean;
  /** For a case-insensitive wildcard: the same test on a value already lower-cased (so callers can share it). */
  readonly folded?: Matcher;
  /** The longest literal every matching value contains (for prefilters), when at least 2 characters. */
  readonly literal?: string;
}

/** Split a pattern into its literal segments (the stars fall between them). */
export function wildcardSegments(pattern: string): string[] {
  const segs: string[] = [];
  let cur = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
      cur += pattern[i + 1];
      i++;
    } else if (c === '*') {
      segs.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  segs.push(cur);
  return segs;
}

/** Compile a wildcard pattern. Case-insensitive matching lower-cases both sides. */
export function compileWildcard(pattern: string, caseSensitive: boolean): Matcher {
  if (!caseSensitive) {
    const folded = compileSegments(pattern.toLowerCase(), true);
    return { test: (v) => folded.test(v.toLowerCase()), folded };
  }
  return compileSegments(pattern, true);
}

function compileSegments(pattern: string, caseSensitive: boolean): Matcher {
  const m = compileSegmentTest(pattern, caseSensitive);
  const longest = wildcardSegments(caseSensitive ? pattern : pattern.toLowerCase()).reduce((a, x) => (x.length > a.length ? x : a), '');
  return longest.length >= 2 ? { test: m.test, literal: longest } : m;
}

function compileSegmentTest(pattern: string, caseSensitive: boolean): Matcher {
  const segs = wildcardSegments(caseSensitive ? pattern : pattern.toLowerCase());
  const prep = caseSensitive ? (s: string): string => s : (s: string): string => s.toLowerCase();
  if (segs.length === 1) {
    const exact = segs[0] as string;
    return { test: (v) => prep(v) === exact };
  }
  const prefix = segs[0] as string;
  const suffix = segs[segs.length - 1] as string;
  const middle = segs.slice(1, -1).filter((s) => s.length > 0);
  const minLen = prefix.length + suffix.length + middle.reduce((a, s) => a + s.length, 0);
  if (middle.length === 0) {
    return {
      test: (value) => {
        const v = prep(value);
        return v.length >= minLen && v.startsWith(prefix) && v.endsWith(suffix);
      },
    };
  }
  return {
    test: (value) => {
      const v = prep(value);
      if (v.length < minLen || !v.startsWith(prefix) || !v.endsWith(suffix)) return false;
      let at = prefix.length;
      const end = v.length - suffix.length;
      for (const m of middle) {
        const k = v.indexOf(m, at);
        if (k < 0 || k + m.length > end) return false;
        at = k + m.length;
      }
      return true;
    },
  };
}
