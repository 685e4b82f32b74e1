import { setFlagsFromString } from 'node:v8';
import { compileLinear, compileSafe } from '../../lib/regex.ts';
import { convertPcre } from './pcre.ts';
import { registerOperator } from './registry.ts';
import { requiredLiterals } from './prefilter.ts';
import { AhoCorasick } from './aho-corasick.ts';

/** Prefilter for a rule regex: an automaton over literals one of which every match contains (undefined: none). */
export function regexPrefilter(pattern: string): AhoCorasick | undefined {
  const lits = requiredLiterals(convertPcre(pattern, false).source);
  return lits ? new AhoCorasick(lits) : undefined;
}

let prefilterEnabled = process.env['RAMPART_WAF_PREFILTER'] !== 'off';
/** Turn regex prefilters on/off for rulesets built from now on (for measurements). */
export function setRegexPrefilter(on: boolean): void { prefilterEnabled = on; }

/** How rule regexes were compiled (see docs/rationale.md). */
export const regexStats = { linear: 0, guarded: 0, backtracking: 0, backtrackingPatterns: [] as string[] };

/**
 * Which engine rule regexes use (docs/rationale.md has the measurements):
 * - 'hybrid' (default): case-insensitivity folded into the pattern so V8's linear engine can express it, then run on
 *   the fast backtracking engine, which V8 switches to the linear engine for any execution that backtracks
 *   excessively (`--enable-experimental-regexp-engine-on-excessive-backtracks`).
 * - 'linear': always the linear engine (slower, strictly linear).
 * - 'backtrack': irregexp with the `i` flag, no fallback possible — unsafe (8 KiB of spaces took 63 s), for comparison.
 * Patterns the linear engine cannot express (counted repetitions above 16) are "guarded": a relaxed copy with those
 * bounds opened up runs first on the linear engine (a superset, so "no match" is final); the exact pattern confirms
 * on inputs up to GUARD_EXACT_MAX bytes, longer inputs take the relaxed verdict.
 */
export type RegexMode = 'linear' | 'backtrack' | 'hybrid';
const envMode = process.env['RAMPART_WAF_REGEX'];
let mode: RegexMode = envMode === 'backtrack' ? 'backtrack' : envMode === 'linear' ? 'linear' : 'hybrid';

export const GUARD_EXACT_MAX = 2048;

/**
 * Backtracks one execution may make before V8 moves it to the linear engine (V8's default is 50,000; 1,000 cut the
 * worst CRS case, 941160 on 8 KiB of '<', from 289 ms to 18 ms with no cost on benign traffic).
 */
export const BACKTRACKS_BEFORE_FALLBACK = 1000;
setFlagsFromString(`--regexp-backtracks-before-fallback=${BACKTRACKS_BEFORE_FALLBACK}`);

/** Set the engine for regexes compiled from now on (rulesets already built keep theirs). */
export function setRuleRegexMode(m: RegexMode): void { mode = m; }
export function ruleRegexMode(): RegexMode { return mode; }

export interface RuleRegex {
  test(input: string): boolean;
  exec(input: string): RegExpExecArray | null;
  /** 'linear' or 'hybrid' (linear-expressible), 'guarded' (relaxed linear pre-check), 'backtracking' */
  kind: 'linear' | 'hybrid' | 'guarded' | 'backtracking';
}

/** Open up counted repetitions the linear engine refuses: {m,n} / {n} with n > 16 become {min(m,16),}. */
export function relaxBounds(source: string): string {
  return source.replace(/(?<!\\)\{(\d+)(?:,(\d*))?\}/g, (m, a: string, b: string | undefined) => {
    const lo = Number(a);
    const hi = b === undefined ? lo : b === '' ? Infinity : Number(b);
    if (hi <= 16) return m;
    return `{${Math.min(lo, 16)},}`;
  });
}

function warm(re: RegExp): RegExp {
  // V8 compiles a regexp lazily on first use; do it now, at ruleset build time, not in the first request
  re.test('');
  re.test('warm-up x');
  return re;
}

function plain(re: RegExp, kind: RuleRegex['kind']): RuleRegex {
  warm(re);
  return { test: (s) => re.test(s), exec: (s) => re.exec(s), kind };
}

/** Compile a (PCRE-flavoured) rule regex according to the current mode. */
export function compileRuleRegex(pattern: string, extraFlags = ''): RuleRegex {
  const addFlags = (flags: string): string => flags + extraFlags.split('').filter((x) => !flags.includes(x)).join('');
  if (mode === 'backtrack') {
    const c = convertPcre(pattern, false);
    regexStats.backtracking++;
    return plain(compileSafe(c.source, addFlags(c.flags)), 'backtracking');
  }
  const { source, flags } = convertPcre(pattern);
  const f = addFlags(flags);
  try {
    const lin = compileLinear(source, f);
    regexStats.linear++;
    return mode === 'hybrid' ? plain(new RegExp(source, f), 'hybrid') : plain(lin, 'linear');
  } catch { /* not expressible as is */ }
  const exact = warm(compileSafe(source, f));
  try {
    const relaxed = warm(compileLinear(relaxBounds(source), f));
    regexStats.guarded++;
    return {
      test: (s) => relaxed.test(s) && (s.length > GUARD_EXACT_MAX || exact.test(s)),
      exec: (s) => (s.length > GUARD_EXACT_MAX ? relaxed.exec(s) : relaxed.test(s) ? exact.exec(s) : null),
      kind: 'guarded',
    };
  } catch {
    regexStats.backtracking++;
    if (regexStats.backtrackingPatterns.length < 100) regexStats.backtrackingPatterns.push(pattern);
    return { test: (s) => exact.test(s), exec: (s) => exact.exec(s), kind: 'backtracking' };
  }
}

/**
 * `@rx PATTERN` — regular expression match (PCRE syntax as used by the CRS), with a literal prefilter.
 * With the `capture` action, TX:0 is the whole match and TX:1..9 the groups.
 * Example: `SecRule ARGS "@rx (?i)<script" "id:1,deny"`
 */
registerOperator({
  name: 'rx',
  doc: '@rx PATTERN — regex match; example: "@rx (?i)<script[^>]*>"',
  compile(param) {
    const re = compileRuleRegex(param);
    const pf = prefilterEnabled ? regexPrefilter(param) : undefined;
    return (tx, input, rule) => {
      if (pf && pf.find(input) === undefined) return false;
      if (!rule.capture) return re.test(input);
      const m = re.exec(input);
      if (!m) return false;
      for (let i = 0; i < 10 && i < m.length; i++) tx.setCapture(i, m[i] ?? '');
      return true;
    };
  },
});
