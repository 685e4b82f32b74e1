/**
 * Minimum request-body rate (slow POST): after a grace period, a request whose body arrives slower than the
 * minimum average rate is cut off. Time is injected; periods when the edge itself stopped reading (backpressure
 * from the origin) are not held against the client: the measurement restarts after them.
 */
import type { Clock } from '../../lib/clock.ts';

export interface BodyRateOptions {
  /** Bytes per second, on average since the start (or the last restart) of the measurement. */
  readonly minBytesPerSecond: number;
  /** Seconds before the rate is first judged. */
  readonly graceSeconds: number;
  readonly clock: Clock;
}

export class BodyRateMonitor {
  readonly #o: BodyRateOptions;
  #since: number;
  #bytesAtStart: number;

  constructor(o: BodyRateOptions, bytesNow: number) {
    this.#o = o;
    this.#since = o.clock.now();
    this.#bytesAtStart = bytesNow;
  }

  /** Restart the measurement (the edge was not reading). */
  restart(bytesNow: number): void {
    this.#since = this.#o.clock.now();
    this.#bytesAtStart = bytesNow;
  }

  /** True when the client is too slow: past the grace period and under the minimum average rate. */
  tooSlow(bytesNow: number): boolean {
    const elapsed = (this.#o.clock.now() - this.#since) / 1000;
    if (elapsed < this.#o.graceSeconds) return false;
    return (bytesNow - this.#bytesAtStart) / elapsed < this.#o.minBytesPerSecond;
  }
}
