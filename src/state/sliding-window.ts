/**
 * Two-bucket sliding-window approximation shared by the counter adapters.
 *
 * Time is cut into fixed buckets of `windowMs`, aligned on the epoch. The count over the last `windowMs` is
 * `curr + prev * (1 - elapsed / windowMs)`, where `elapsed` is the time since the current bucket began: the
 * previous bucket is assumed to be spread evenly over its window (the Cloudflare / nginx-style estimate). The
 * result is never rounded, so it may be fractional. It never under-counts by more than the previous bucket's share.
 */

export interface WindowState {
  /** Index of the bucket `curr` belongs to: floor(time / windowMs). */
  readonly bucket: number;
  /** Sum of costs in that bucket. */
  readonly curr: number;
  /** Sum of costs in the bucket before it. */
  readonly prev: number;
}

/** Throws a RangeError unless `windowMs` is a positive safe integer. */
export function checkWindow(windowMs: number): void {
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0) {
    throw new RangeError(`windowMs must be a positive integer, got ${String(windowMs)}`);
  }
}

/** Throws a RangeError unless `cost` is a finite number >= 0. */
export function checkCost(cost: number): void {
  if (!Number.isFinite(cost) || cost < 0) throw new RangeError(`cost must be a finite number >= 0, got ${String(cost)}`);
}

export function bucketOf(now: number, windowMs: number): number {
  return Math.floor(now / windowMs);
}

/** The state after adding `cost` at time `now` (buckets rolled forward as needed). */
export function addHit(state: WindowState | undefined, now: number, windowMs: number, cost: number): WindowState {
  const bucket = bucketOf(now, windowMs);
  if (state === undefined) return { bucket, curr: cost, prev: 0 };
  // A stored bucket ahead of our clock (another process with a clock slightly ahead): count into it.
  if (state.bucket >= bucket) return { bucket: state.bucket, curr: state.curr + cost, prev: state.prev };
  if (state.bucket === bucket - 1) return { bucket, curr: cost, prev: state.curr };
  return { bucket, curr: cost, prev: 0 };
}

/** The weighted count over the last `windowMs` at time `now`. */
export function estimate(state: WindowState | undefined, now: number, windowMs: number): number {
  if (state === undefined) return 0;
  const bucket = bucketOf(now, windowMs);
  if (state.bucket > bucket) return state.curr + state.prev;
  const weight = 1 - (now - bucket * windowMs) / windowMs;
  if (state.bucket === bucket) return state.curr + state.prev * weight;
  if (state.bucket === bucket - 1) return state.curr * weight;
  return 0;
}

/** True when the state can no longer contribute to any count at time `now` or later. */
export function isExpired(state: WindowState, now: number, windowMs: number): boolean {
  return state.bucket < bucketOf(now, windowMs) - 1;
}
