/**
 * Regular expressions that cannot stall a worker.
 *
 * V8 ships a linear-time (automaton) regexp engine behind two flags:
 * - `--enable-experimental-regexp-engine` makes the `l` flag available: such a regexp always runs in linear time
 *   and refuses, at compile time, what needs backtracking (back-references, lookaround).
 * - `--enable-experimental-regexp-engine-on-excessive-backtracks` makes every other regexp fall back to the linear
 *   engine once it has backtracked too much, so a catastrophic pattern costs linear time instead of hanging.
 *
 * The fallback only covers patterns the linear engine can express: a pattern with lookaround or back-references
 * keeps backtracking, so callers that take patterns from users should prefer compileLinear() and review the rest.
 *
 * `enableSafeRegex()` turns both on for this process; it must run before the regexps it should cover are compiled
 * (the CLI, the node entry point and the test runner call it first).
 */
import { setFlagsFromString } from 'node:v8';

let enabled = false;

export function enableSafeRegex(): void {
  if (enabled) return;
  setFlagsFromString('--enable-experimental-regexp-engine');
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  enabled = true;
}

/** Error thrown for a pattern the linear engine cannot run (back-references, lookaround) or that is invalid. */
export class RegexCompileError extends Error {
  readonly code = 'regex.invalid';
  readonly pattern: string;
  constructor(pattern: string, detail: string) {
    super(detail);
    this.name = 'RegexCompileError';
    this.pattern = pattern;
  }
}

/**
 * Compile `source` on the linear-time engine (guaranteed no backtracking blow-up). Throws RegexCompileError with
 * V8's reason when the pattern is invalid or needs backtracking.
 */
export function compileLinear(source: string, flags = ''): RegExp {
  enableSafeRegex();
  try {
    return new RegExp(source, flags.includes('l') ? flags : flags + 'l');
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new RegexCompileError(source, msg.replace(/^Invalid regular expression: /, ''));
  }
}

/**
 * Compile `source` on the linear engine when it can run there, else on the backtracking engine (which, with
 * enableSafeRegex(), falls back to the linear engine after excessive backtracking).
 */
export function compileSafe(source: string, flags = ''): RegExp {
  enableSafeRegex();
  try {
    return new RegExp(source, flags + 'l');
  } catch {
    try {
      return new RegExp(source, flags);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new RegexCompileError(source, msg.replace(/^Invalid regular expression: /, ''));
    }
  }
}
