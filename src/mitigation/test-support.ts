/** Test doubles for src/mitigation tests (not part of the public surface). */
import type { Clock, Random } from '../lib/clock.ts';
import type { ReplayStore } from './challenge-token.ts';

/** A replay store over a Map, expiring by an injected clock. */
export class MapReplayStore implements ReplayStore {
  readonly entries = new Map<string, { value: string; until: number }>();
  readonly #clock: Clock;
  failing = false;
  constructor(clock: Clock) { this.#clock = clock; }
  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    if (this.failing) throw new Error('store down');
    const now = this.#clock.now();
    const cur = this.entries.get(key);
    if (cur !== undefined && cur.until > now) return false;
    this.entries.set(key, { value, until: ttlMs === undefined ? Infinity : now + ttlMs });
    return true;
  }
}

/** Deterministic bytes (a counter), so tests never depend on chance. */
export class CountingRandom implements Random {
  #n = 0;
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = (this.#n + i * 31) & 0xff;
    this.#n++;
    return b;
  }
}

export const SECRET_A = Buffer.alloc(32, 0xa1);
export const SECRET_B = Buffer.alloc(32, 0xb2);
