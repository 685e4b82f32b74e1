/**
 * Counters behind the challenge metrics the issue asks for: issued, solved, failed (by private reason) and the
 * median solve time over the last `window` solves. In-process and allocation-free per event; the telemetry layer
 * reads `snapshot()` into its gauges/counters (labelled by zone there, never by IP).
 */
import type { ChallengeDecision, VerifyOutcome } from './handler.ts';

export interface ChallengeStatsSnapshot {
  issued: number;
  solved: number;
  failed: number;
  failedByReason: Record<string, number>;
  /** Median of the recent solve times in ms; undefined before the first solve. */
  medianSolveMs: number | undefined;
}

export class ChallengeStats {
  #issued = 0;
  #solved = 0;
  #failed = 0;
  #reasons = new Map<string, number>();
  readonly #times: Float64Array;
  #count = 0;
  #next = 0;

  constructor(window = 1024) {
    this.#times = new Float64Array(Math.max(1, window));
  }

  /** Count a decision (only served HTML challenges are "issued"; JSON 403s are not solvable). */
  decision(d: ChallengeDecision): void {
    if (d.kind === 'serve' && d.headers['content-type']?.startsWith('text/html') === true) this.#issued++;
  }

  verify(o: VerifyOutcome): void {
    if (o.ok) {
      this.#solved++;
      this.#times[this.#next] = o.solveMs;
      this.#next = (this.#next + 1) % this.#times.length;
      this.#count = Math.min(this.#count + 1, this.#times.length);
    } else {
      this.#failed++;
      this.#reasons.set(o.reason, (this.#reasons.get(o.reason) ?? 0) + 1);
    }
  }

  snapshot(): ChallengeStatsSnapshot {
    let median: number | undefined;
    if (this.#count > 0) {
      const sorted = Array.from(this.#times.subarray(0, this.#count)).sort((a, b) => a - b);
      const mid = this.#count >> 1;
      median = this.#count % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
    }
    return {
      issued: this.#issued, solved: this.#solved, failed: this.#failed,
      failedByReason: Object.fromEntries(this.#reasons), medianSolveMs: median,
    };
  }
}
