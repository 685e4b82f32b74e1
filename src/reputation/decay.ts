/**
 * Exponential decay stored as integer increments, so that a plain atomic `incr` on a shared key-value store is
 * enough (no read-modify-write race between workers or nodes).
 *
 * Time is cut into epochs of `EPOCH_HALF_LIVES` half-lives. An event of weight w at time t in epoch e adds
 * `w × SCALE × 2^((t − start(e)) / h)` (an integer, at most 2^EPOCH_HALF_LIVES × w × SCALE) to that epoch's key.
 * At time `now` the points are `Σ_e units(e) / SCALE × 2^(−(now − start(e)) / h)`, which equals
 * `Σ w × 2^(−(now − t) / h)` exactly up to the rounding of the units. Only the last `EPOCHS_READ` epochs are read
 * (and their keys expire after that), so an event is forgotten entirely after 6 to 8 half-lives, when it counts for
 * at most 2^−6 ≈ 1.6 % of its weight.
 */

/** Fixed-point scale of stored units (three decimals of a point). */
export const SCALE = 1000;
/** Epoch length in half-lives. */
export const EPOCH_HALF_LIVES = 2;
/** Epochs read per score: the current one and the three before it. */
export const EPOCHS_READ = 4;

export function epochMs(halfLifeMs: number): number {
  return EPOCH_HALF_LIVES * halfLifeMs;
}

export function epochOf(t: number, halfLifeMs: number): number {
  return Math.floor(t / epochMs(halfLifeMs));
}

/** Integer units that an event of `weight` at time `t` adds to the key of `epochOf(t)`. */
export function unitsFor(weight: number, t: number, halfLifeMs: number): number {
  const start = epochOf(t, halfLifeMs) * epochMs(halfLifeMs);
  return Math.round(weight * SCALE * 2 ** ((t - start) / halfLifeMs));
}

/** Decayed points at `now` from the units stored per epoch. */
export function pointsAt(units: ReadonlyMap<number, number>, now: number, halfLifeMs: number): number {
  let points = 0;
  const size = epochMs(halfLifeMs);
  for (const [epoch, u] of units) {
    points += (u / SCALE) * 2 ** (-(now - epoch * size) / halfLifeMs);
  }
  return points;
}

/** The epochs a score at `now` reads, newest first. */
export function epochsRead(now: number, halfLifeMs: number): number[] {
  const current = epochOf(now, halfLifeMs);
  return Array.from({ length: EPOCHS_READ }, (_, i) => current - i);
}

/** Milliseconds from `now` until the key of `epoch` stops being read (its TTL); ≤ 0 when already unread. */
export function epochTtlMs(epoch: number, now: number, halfLifeMs: number): number {
  return (epoch + EPOCHS_READ) * epochMs(halfLifeMs) - now;
}
