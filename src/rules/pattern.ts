/**
 * Regexes of `matches` and `wildcard`. A pattern must be accepted by V8's linear-time engine (compileLinear: no
 * back-references, no lookaround), or it is a compile error. It then runs on V8's fast backtracking engine with the
 * excessive-backtracks fallback on (enableSafeRegex): a pattern that starts to blow up is re-run on the linear engine
 * after a bounded number of backtracks, so every match costs at most that bound plus linear time. The linear engine
 * alone is ~100x slower on ordinary inputs, hence this arrangement.
 */
import { compileLinear } from '../lib/regex.ts';

/** Throws RegexCompileError when the pattern is invalid or needs backtracking. */
export function compilePattern(source: string): RegExp {
  compileLinear(source); // validates, and turns the fallback flags on before the next compilation
  return new RegExp(source);
}
