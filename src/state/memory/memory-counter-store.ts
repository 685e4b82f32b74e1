/**
 * In-process sliding-window counters (one worker; not shared between processes).
 *
 * Uses the two-bucket weighted approximation of `../sliding-window.ts`: O(1) memory per (key, window). Memory is
 * bounded: state that can no longer count is dropped on access and by a periodic sweep on an unref'd timer, and
 * at most `maxKeys` keys are kept (the least recently hit key is evicted first; eviction forgets its count).
 */
import type { Clock } from '../../lib/clock.ts';
import type { Closeable, CounterStore } from '../ports.ts';
import { addHit, checkCost, checkWindow, estimate, isExpired } from '../sliding-window.ts';
import type { WindowState } from '../sliding-window.ts';

export interface MemoryCounterStoreOptions {
  clock: Clock;
  /** Most keys kept; the least recently hit is evicted beyond it. Default 1,000,000. */
  maxKeys?: number;
  /** Period of the expiry sweep in real milliseconds; 0 disables the timer. Default 30,000. */
  sweepIntervalMs?: number;
}

export class MemoryCounterStore implements CounterStore, Closeable {
  readonly #clock: Clock;
  readonly #maxKeys: number;
  /** key → windowMs → state. Map order is recency of the last hit (re-inserted on every hit). */
  readonly #keys = new Map<string, Map<number, WindowState>>();
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryCounterStoreOptions) {
    this.#clock = options.clock;
    this.#maxKeys = options.maxKeys ?? 1_000_000;
    if (!Number.isSafeInteger(this.#maxKeys) || this.#maxKeys < 1) throw new RangeError('maxKeys must be a positive integer');
    const every = options.sweepIntervalMs ?? 30_000;
    if (every > 0) {
      this.#timer = setInterval(() => this.sweep(), every);
      this.#timer.unref();
    }
  }

  async hit(key: string, windowMs: number, cost = 1): Promise<number> {
    checkWindow(windowMs);
    checkCost(cost);
    const now = this.#clock.now();
    let windows = this.#keys.get(key);
    if (windows === undefined) {
      windows = new Map();
      this.#evictFor(1);
    } else {
      this.#keys.delete(key);
    }
    this.#keys.set(key, windows);
    const next = addHit(windows.get(windowMs), now, windowMs, cost);
    windows.set(windowMs, next);
    return estimate(next, now, windowMs);
  }

  async peek(key: string, windowMs: number): Promise<number> {
    checkWindow(windowMs);
    const windows = this.#keys.get(key);
    const state = windows?.get(windowMs);
    if (windows === undefined || state === undefined) return 0;
    const now = this.#clock.now();
    if (isExpired(state, now, windowMs)) {
      windows.delete(windowMs);
      if (windows.size === 0) this.#keys.delete(key);
      return 0;
    }
    return estimate(state, now, windowMs);
  }

  async reset(key: string): Promise<void> {
    this.#keys.delete(key);
  }

  /** Drops every state that can no longer count. Runs on the timer; public for tests and tight loops. */
  sweep(): void {
    const now = this.#clock.now();
    for (const [key, windows] of this.#keys) {
      for (const [windowMs, state] of windows) {
        if (isExpired(state, now, windowMs)) windows.delete(windowMs);
      }
      if (windows.size === 0) this.#keys.delete(key);
    }
  }

  /** Number of keys currently held (for tests and metrics). */
  get size(): number {
    return this.#keys.size;
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#keys.clear();
  }

  #evictFor(incoming: number): void {
    // No full sweep here (O(n) per insert under a flood of new keys): the least recently hit key goes first.
    for (const key of this.#keys.keys()) {
      if (this.#keys.size + incoming <= this.#maxKeys) break;
      this.#keys.delete(key);
    }
  }
}
