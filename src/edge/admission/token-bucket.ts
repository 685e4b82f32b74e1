/** Token buckets keyed by client IP, on an injected clock; memory bounded by `maxKeys` (full buckets are dropped first). */
import type { Clock } from '../../lib/clock.ts';

interface Bucket { tokens: number; at: number }

export interface TokenBucketOptions {
  /** Tokens added per second. */
  readonly rate: number;
  /** Bucket size (the burst allowed at once). */
  readonly burst: number;
  readonly clock: Clock;
  /** Most keys kept; past it full buckets (and then the oldest) are forgotten. */
  readonly maxKeys?: number;
}

export class TokenBuckets {
  readonly #o: TokenBucketOptions;
  readonly #b = new Map<string, Bucket>();
  readonly #max: number;

  constructor(o: TokenBucketOptions) {
    this.#o = o;
    this.#max = o.maxKeys ?? 100_000;
  }

  /** Take one token for `key`; false when the bucket is empty (the caller refuses). */
  take(key: string): boolean {
    const now = this.#o.clock.now();
    let b = this.#b.get(key);
    if (b === undefined) {
      if (this.#b.size >= this.#max) this.#prune(now);
      b = { tokens: this.#o.burst, at: now };
      this.#b.set(key, b);
    } else {
      b.tokens = Math.min(this.#o.burst, b.tokens + ((now - b.at) / 1000) * this.#o.rate);
      b.at = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  get size(): number { return this.#b.size; }

  #prune(now: number): void {
    for (const [k, b] of this.#b) {
      if (b.tokens + ((now - b.at) / 1000) * this.#o.rate >= this.#o.burst) this.#b.delete(k);
    }
    // still full: forget the oldest quarter (Map keeps insertion order)
    if (this.#b.size >= this.#max) {
      let n = Math.ceil(this.#max / 4);
      for (const k of this.#b.keys()) { if (n-- <= 0) break; this.#b.delete(k); }
    }
  }
}
