/**
 * In-process key-value store with TTL (one worker; not shared between processes).
 *
 * Expired keys are invisible at once (checked on every access against the injected clock), removed lazily on
 * access and by a periodic sweep on an unref'd timer. At most `maxEntries` keys are kept: beyond it the least
 * recently written key is evicted (writes, not reads, refresh recency), so a flood of new keys cannot exhaust memory.
 */
import type { Clock } from '../../lib/clock.ts';
import type { Closeable, KeyValueStore } from '../ports.ts';
import { checkTtl, parseCounter } from '../kv-rules.ts';

interface Entry {
  value: string;
  /** Absolute expiry in clock milliseconds; undefined = no TTL. */
  expiresAt: number | undefined;
}

export interface MemoryKeyValueStoreOptions {
  clock: Clock;
  /** Most keys kept; the least recently written is evicted beyond it. Default 1,000,000. */
  maxEntries?: number;
  /** Period of the expiry sweep in real milliseconds; 0 disables the timer. Default 30,000. */
  sweepIntervalMs?: number;
}

export class MemoryKeyValueStore implements KeyValueStore, Closeable {
  readonly #clock: Clock;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Entry>();
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryKeyValueStoreOptions) {
    this.#clock = options.clock;
    this.#maxEntries = options.maxEntries ?? 1_000_000;
    if (!Number.isSafeInteger(this.#maxEntries) || this.#maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
    const every = options.sweepIntervalMs ?? 30_000;
    if (every > 0) {
      this.#timer = setInterval(() => this.sweep(), every);
      this.#timer.unref();
    }
  }

  async get(key: string): Promise<string | undefined> {
    return this.#live(key)?.value;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    checkTtl(ttlMs);
    this.#write(key, { value, expiresAt: this.#expiry(ttlMs) });
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    checkTtl(ttlMs);
    if (this.#live(key) !== undefined) return false;
    this.#write(key, { value, expiresAt: this.#expiry(ttlMs) });
    return true;
  }

  async incr(key: string, by = 1, ttlMs?: number): Promise<number> {
    checkTtl(ttlMs);
    if (!Number.isSafeInteger(by)) throw new RangeError(`incr: by must be a safe integer, got ${String(by)}`);
    const current = this.#live(key);
    const next = (current === undefined ? 0 : parseCounter(key, current.value)) + by;
    if (!Number.isSafeInteger(next)) throw new RangeError(`incr: ${key} would overflow`);
    // The TTL is set only when incr creates the key; an existing key keeps its expiry (Redis INCR + EXPIRE NX).
    this.#write(key, { value: String(next), expiresAt: current === undefined ? this.#expiry(ttlMs) : current.expiresAt });
    return next;
  }

  async delete(key: string): Promise<boolean> {
    const live = this.#live(key) !== undefined;
    this.#entries.delete(key);
    return live;
  }

  async ttl(key: string): Promise<number | undefined> {
    const entry = this.#live(key);
    if (entry === undefined) return undefined;
    return entry.expiresAt === undefined ? Infinity : entry.expiresAt - this.#clock.now();
  }

  /** Removes every expired entry. Runs on the timer; public for tests. */
  sweep(): void {
    const now = this.#clock.now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#entries.delete(key);
    }
  }

  /** Number of entries held, expired ones not yet swept included (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#entries.clear();
  }

  #expiry(ttlMs: number | undefined): number | undefined {
    return ttlMs === undefined ? undefined : this.#clock.now() + ttlMs;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.#clock.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #write(key: string, entry: Entry): void {
    if (!this.#entries.delete(key)) {
      for (const oldest of this.#entries.keys()) {
        if (this.#entries.size < this.#maxEntries) break;
        this.#entries.delete(oldest);
      }
    }
    this.#entries.set(key, entry);
  }
}
