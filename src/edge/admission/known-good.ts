/** IPs that recently completed requests without being blocked: they may use the reserved share of the global connection cap. */
import type { Clock } from '../../lib/clock.ts';

export class KnownGoodClients {
  readonly #until = new Map<string, number>();
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #max: number;

  constructor(clock: Clock, ttlMs = 10 * 60_000, maxKeys = 100_000) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#max = maxKeys;
  }

  /** A request from `ip` finished without a block. */
  mark(ip: string): void {
    const now = this.#clock.now();
    if (this.#until.size >= this.#max && !this.#until.has(ip)) this.#prune(now);
    this.#until.delete(ip);
    this.#until.set(ip, now + this.#ttlMs);
  }

  /** A block or abuse from `ip`: it loses its standing. */
  forget(ip: string): void { this.#until.delete(ip); }

  has(ip: string): boolean {
    const t = this.#until.get(ip);
    if (t === undefined) return false;
    if (t <= this.#clock.now()) { this.#until.delete(ip); return false; }
    return true;
  }

  get size(): number { return this.#until.size; }

  #prune(now: number): void {
    for (const [k, t] of this.#until) if (t <= now) this.#until.delete(k);
    if (this.#until.size >= this.#max) {
      let n = Math.ceil(this.#max / 4);
      for (const k of this.#until.keys()) { if (n-- <= 0) break; this.#until.delete(k); }
    }
  }
}
