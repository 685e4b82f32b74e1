/**
 * Fail-open wrappers for a networked state backend (Redis in fleet mode): every call goes to the remote store;
 * when it fails, the call is answered by a local (in-process memory) store instead, and the remote is not asked
 * again for `retryMs`, so an outage costs one failed call per period, not one per request. The first failure
 * and the recovery are reported once each through `onChange` (a log line and a gauge in the caller).
 *
 * What this means per port while the remote is down:
 * - counters count locally (per process): rate limits still apply, but per node instead of fleet-wide;
 * - key-value reads and writes go to the local store (challenge replay protection and reputation keep working on
 *   what this process saw); keys written remotely before the outage are not visible until it ends;
 * - the event bus cannot reach other nodes: `publish` rejects (the caller decides), subscriptions resume when the
 *   remote reconnects.
 */
import type { Clock } from '../lib/clock.ts';
import type { CounterStore, KeyValueStore } from './ports.ts';

export interface FallbackOptions {
  readonly clock: Clock;
  /** How long the remote is left alone after a failure. Default 1000 ms. */
  readonly retryMs?: number;
  /** Called once when the remote starts failing (with the error) and once when it answers again. */
  readonly onChange?: (up: boolean, error?: unknown) => void;
  /** Called for every call answered locally (for a counter metric). */
  readonly onFallback?: () => void;
}

/** Adapters reject with `code: 'state.unavailable'` when their backend cannot be reached (see redis/redis-errors.ts). */
export function isUnavailable(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'state.unavailable';
}

/** Shared by the wrappers of one backend: one outage, one report. */
export class RemoteBreaker {
  readonly #clock: Clock;
  readonly #retryMs: number;
  readonly #onChange: ((up: boolean, error?: unknown) => void) | undefined;
  readonly #onFallback: (() => void) | undefined;
  #downUntil = 0;
  #down = false;

  constructor(o: FallbackOptions) {
    this.#clock = o.clock;
    this.#retryMs = o.retryMs ?? 1000;
    this.#onChange = o.onChange;
    this.#onFallback = o.onFallback;
  }

  /** False while the remote is considered down. */
  get up(): boolean { return !this.#down; }

  async run<T>(remote: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    if (this.#down && this.#clock.now() < this.#downUntil) { this.#onFallback?.(); return local(); }
    let value: T;
    try {
      value = await remote();
    } catch (error) {
      // a fault of the call itself (a bad argument, a non-integer incr) is the caller's, not an outage
      if (!isUnavailable(error)) throw error;
      this.#downUntil = this.#clock.now() + this.#retryMs;
      if (!this.#down) { this.#down = true; this.#onChange?.(false, error); }
      this.#onFallback?.();
      return local();
    }
    if (this.#down) { this.#down = false; this.#onChange?.(true); }
    return value;
  }
}

export class FallbackCounterStore implements CounterStore {
  readonly #remote: CounterStore;
  readonly #local: CounterStore;
  readonly #b: RemoteBreaker;
  constructor(remote: CounterStore, local: CounterStore, breaker: RemoteBreaker) { this.#remote = remote; this.#local = local; this.#b = breaker; }
  hit(key: string, windowMs: number, cost?: number): Promise<number> {
    return this.#b.run(() => this.#remote.hit(key, windowMs, cost), () => this.#local.hit(key, windowMs, cost));
  }
  peek(key: string, windowMs: number): Promise<number> {
    return this.#b.run(() => this.#remote.peek(key, windowMs), () => this.#local.peek(key, windowMs));
  }
  async reset(key: string): Promise<void> {
    await this.#local.reset(key);
    await this.#b.run(() => this.#remote.reset(key), async () => undefined);
  }
}

export class FallbackKeyValueStore implements KeyValueStore {
  readonly #remote: KeyValueStore;
  readonly #local: KeyValueStore;
  readonly #b: RemoteBreaker;
  constructor(remote: KeyValueStore, local: KeyValueStore, breaker: RemoteBreaker) { this.#remote = remote; this.#local = local; this.#b = breaker; }
  get(key: string): Promise<string | undefined> { return this.#b.run(() => this.#remote.get(key), () => this.#local.get(key)); }
  set(key: string, value: string, ttlMs?: number): Promise<void> { return this.#b.run(() => this.#remote.set(key, value, ttlMs), () => this.#local.set(key, value, ttlMs)); }
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> { return this.#b.run(() => this.#remote.setIfAbsent(key, value, ttlMs), () => this.#local.setIfAbsent(key, value, ttlMs)); }
  incr(key: string, by?: number, ttlMs?: number): Promise<number> { return this.#b.run(() => this.#remote.incr(key, by, ttlMs), () => this.#local.incr(key, by, ttlMs)); }
  delete(key: string): Promise<boolean> { return this.#b.run(() => this.#remote.delete(key), () => this.#local.delete(key)); }
  ttl(key: string): Promise<number | undefined> { return this.#b.run(() => this.#remote.ttl(key), () => this.#local.ttl(key)); }
}
