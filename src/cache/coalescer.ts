/**
 * Request coalescing: N concurrent misses for one key make one origin fetch.
 *
 * The first caller for a key is the leader and runs `fetch`; callers arriving while it runs wait for its result
 * (up to `timeoutMs`, after which they run `fetch` themselves). A leader's error is passed to every waiter. With a
 * `fanout`, each caller gets its own copy of the result (e.g. its own body stream via BodyBroadcast); without one,
 * all callers share the same value (a buffered response). No state is left behind once the leader settles.
 */
import { BodyBroadcast } from './body-broadcast.ts';

export interface Fanout<T> {
  /** A copy of the result for one caller. Called once for the leader and once per waiter, all before `seal()`. */
  take(): T;
  /** Called after every copy was taken. */
  seal(): void;
}

export interface CoalescerOptions<T> {
  /** How long a waiter waits for the leader before going to the origin itself. */
  readonly timeoutMs: number;
  /** Per-caller copies of a result (streams); omit to share one value. */
  readonly fanout?: (value: T) => Fanout<T>;
  /** Timer (injectable for tests): run `fn` after `ms`, return a canceller. */
  readonly setTimer?: (fn: () => void, ms: number) => () => void;
}

export interface CoalesceResult<T> {
  readonly value: T;
  /** leader: ran the fetch; follower: got the leader's result; timeout: waited too long and fetched itself. */
  readonly role: 'leader' | 'follower' | 'timeout';
}

interface Waiter<T> {
  resolve(v: CoalesceResult<T>): void;
  reject(e: unknown): void;
  cancelTimer(): void;
}

interface Flight<T> {
  waiters: Set<Waiter<T>>;
}

const defaultTimer = (fn: () => void, ms: number): (() => void) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

export class Coalescer<T> {
  readonly #flights = new Map<string, Flight<T>>();
  readonly #o: CoalescerOptions<T>;
  readonly #setTimer: (fn: () => void, ms: number) => () => void;

  constructor(options: CoalescerOptions<T>) {
    this.#o = options;
    this.#setTimer = options.setTimer ?? defaultTimer;
  }

  /** Keys with a fetch in flight. */
  get inflight(): number { return this.#flights.size; }

  /** Waiters currently parked on `key`. */
  waiting(key: string): number { return this.#flights.get(key)?.waiters.size ?? 0; }

  run(key: string, fetch: () => Promise<T>): Promise<CoalesceResult<T>> {
    const flight = this.#flights.get(key);
    if (flight !== undefined) return this.#wait(flight, fetch);
    const mine: Flight<T> = { waiters: new Set() };
    this.#flights.set(key, mine);
    return this.#lead(key, mine, fetch);
  }

  async #lead(key: string, flight: Flight<T>, fetch: () => Promise<T>): Promise<CoalesceResult<T>> {
    let value: T;
    try {
      value = await fetch();
    } catch (err) {
      this.#finish(key, flight);
      for (const w of flight.waiters) { w.cancelTimer(); w.reject(err); }
      flight.waiters.clear();
      throw err;
    }
    this.#finish(key, flight);
    const fan = this.#o.fanout?.(value);
    const mine = fan === undefined ? value : fan.take();
    for (const w of flight.waiters) { w.cancelTimer(); w.resolve({ value: fan === undefined ? value : fan.take(), role: 'follower' }); }
    flight.waiters.clear();
    fan?.seal();
    return { value: mine, role: 'leader' };
  }

  #finish(key: string, flight: Flight<T>): void {
    if (this.#flights.get(key) === flight) this.#flights.delete(key);
  }

  #wait(flight: Flight<T>, fetch: () => Promise<T>): Promise<CoalesceResult<T>> {
    return new Promise<CoalesceResult<T>>((resolve, reject) => {
      const w: Waiter<T> = { resolve, reject, cancelTimer: () => undefined };
      w.cancelTimer = this.#setTimer(() => {
        if (!flight.waiters.delete(w)) return;
        Promise.resolve().then(fetch).then((value) => resolve({ value, role: 'timeout' }), reject);
      }, this.#o.timeoutMs);
      flight.waiters.add(w);
    });
  }
}

/** A response as the coalescer passes it around: status, headers and a body stream. */
export interface CoalescedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: AsyncIterable<Uint8Array>;
}

/** Fan-out for streamed responses: every caller reads the one origin body through a BodyBroadcast. */
export function streamFanout(maxBufferedBytes: number): (r: CoalescedResponse) => Fanout<CoalescedResponse> {
  return (r) => {
    const b = new BodyBroadcast(r.body, maxBufferedBytes);
    return {
      take: () => {
        const it = b.subscribe();
        return { status: r.status, headers: r.headers, body: { [Symbol.asyncIterator]: () => it } };
      },
      seal: () => b.seal(),
    };
  };
}
