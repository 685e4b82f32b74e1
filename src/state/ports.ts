/**
 * State ports: the narrow async interfaces through which every kind of shared state is reached.
 *
 * One node runs on the in-memory and SQLite adapters; a fleet swaps in Redis and Postgres adapters that pass the
 * same contract suites (src/state/contract/). Nothing outside src/state/ may know which adapter is behind a port.
 * All methods are async even where an adapter could answer synchronously, so that networked adapters drop in.
 * Keys are opaque strings chosen by the caller (prefix them by feature: `rl:`, `chal:`, ...).
 */

/** Sliding-window counters (rate limiting, flood detection). */
export interface CounterStore {
  /**
   * Add `cost` (default 1) to `key` and return the count over the last `windowMs` milliseconds, including this hit.
   * The window slides: adapters may approximate it with two fixed buckets weighted by overlap (as Cloudflare and
   * nginx-style limiters do), but must never under-count by more than the previous bucket's share.
   */
  hit(key: string, windowMs: number, cost?: number): Promise<number>;
  /** The count over the last `windowMs` without adding to it. */
  peek(key: string, windowMs: number): Promise<number>;
  /** Forget `key`. */
  reset(key: string): Promise<void>;
}

/** Key-value with optional time-to-live (bans, clearance replay protection, small shared flags). */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  /** Store `value`; with `ttlMs` the key disappears after that many milliseconds. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Store only when absent (atomic); true when this call stored it. */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  /** Atomically add `by` (default 1) to an integer value (absent counts as 0) and return the new value. */
  incr(key: string, by?: number, ttlMs?: number): Promise<number>;
  delete(key: string): Promise<boolean>;
  /** Milliseconds left to live, undefined when the key is absent, Infinity when it has no TTL. */
  ttl(key: string): Promise<number | undefined>;
}

export type Unsubscribe = () => Promise<void>;

/** Publish/subscribe between the nodes and workers (config published, purge, switches). At-most-once delivery. */
export interface EventBus {
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, handler: (message: string) => void): Promise<Unsubscribe>;
}

/** Something that holds resources (connections, timers) and must be closed at shutdown. */
export interface Closeable {
  close(): Promise<void>;
}
