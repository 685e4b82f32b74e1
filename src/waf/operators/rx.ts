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

/** How many rule regexes run on the linear engine vs the backtracking one (with V8's excessive-backtracking fallback). */
export const regexStats = { linear: 0, backtracking: 0, backtrackingPatterns: [] as string[] };

/**
 * Which engine rule regexes prefer: 'linear' (V8's automaton engine; case-insensitivity folded into the pattern;
 * no input can make a regex super-linear) or 'backtrack' (irregexp, several times faster on the CRS, safety from the
 * RE2-compatible CRS patterns plus the per-transaction budget — NOT enough: 8 KiB of spaces took 63 s). Default from RAMPART_WAF_REGEX, else 'linear'.
 * See docs/rationale.md for the measurements.
 */
export type RegexMode = 'linear' | 'backtrack';
let mode: RegexMode = process.env['RAMPART_WAF_REGEX'] === 'backtrack' ? 'backtrack' : 'linear';

/** Set the engine for regexes compiled from now on (rulesets already built keep theirs). */
export function setRuleRegexMode(m: RegexMode): void { mode = m; }
export function ruleRegexMode(): RegexMode { return mode; }

/** Compile a (PCRE-flavoured) rule regex on the engine `mode` prefers (linear falls back to backtracking when it must). */
export function compileRuleRegex(pattern: string, extraFlags = ''): { re: RegExp; linear: boolean } {
  if (mode === 'backtrack') {
    const c = convertPcre(pattern, false);
    const re = compileSafe(c.source, c.flags + extraFlags.split('').filter((x) => !c.flags.includes(x)).join(''));
    regexStats.backtracking++;
    re.test('');
    re.test('warm-up x');
    return { re, linear: re.flags.includes('l') };
  }
  const { source, flags } = convertPcre(pattern);
  const f = flags + extraFlags.split('').filter((c) => !flags.includes(c)).join('');
  let out: { re: RegExp; linear: boolean };
  try {
    out = { re: compileLinear(source, f), linear: true };
    regexStats.linear++;
  } catch {
    out = { re: compileSafe(source, f), linear: false };
    regexStats.backtracking++;
    if (regexStats.backtrackingPatterns.length < 100) regexStats.backtrackingPatterns.push(pattern);
  }
  // V8 compiles a regexp lazily on first use; do it now, at ruleset build time, not in the first request
  out.re.test('');
  out.re.test('warm-up x');
  return out;
}

/**
 * `@rx PATTERN` — regular expression match (PCRE syntax as used by the CRS; run on V8's linear-time engine).
 * With the `capture` action, TX:0 is the whole match and TX:1..9 the groups.
 * Example: `SecRule ARGS "@rx (?i)<script" "id:1,deny"`
 */
registerOperator({
  name: 'rx',
  doc: '@rx PATTERN — regex match; example: "@rx (?i)<script[^>]*>"',
  compile(param) {
    const { re } = compileRuleRegex(param);
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
