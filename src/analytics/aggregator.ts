/**
 * The per-worker analytics aggregator: `record` (called by the log phase for every request) adds the sample to
 * its (zone, minute) bucket in memory; `flush` (every 5 s by an unref'd timer, and at `close`) hands every bucket,
 * the current minute's included, to the AnalyticsStore as deltas in one `add` call, never a write per request.
 * A failing store keeps the deltas (merged per zone and minute) for the next flush; beyond `maxPendingRows` the
 * oldest are dropped and counted (fail-open: traffic never waits for analytics).
 */
import type { AnalyticsDelta, AnalyticsStore } from '../state/ports.ts';
import { MinuteBucket } from './bucket.ts';
import { MINUTE_MS, mergeRows } from './rows.ts';
import type { AnalyticsSample } from './sample.ts';
import { DEFAULT_TOP_K } from './top-k.ts';

/** The timer functions, injectable for tests. */
export interface FlushTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const realTimers: FlushTimers = {
  setInterval: (fn, ms) => { const t = setInterval(fn, ms); t.unref(); return t; },
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

export interface AnalyticsAggregatorOptions {
  readonly store: Pick<AnalyticsStore, 'add'>;
  /** Default 5000; 0 disables the timer (flush by hand). */
  readonly flushIntervalMs?: number;
  /** Entries kept per top list per minute (default 100). */
  readonly topK?: number;
  /** Rows (zone × minute) kept while the store fails (default 1440); the oldest beyond are dropped. */
  readonly maxPendingRows?: number;
  /** Called when a flush fails (the rows stay pending). */
  readonly onError?: (err: unknown) => void;
  readonly timers?: FlushTimers;
}

export interface AggregatorStats {
  /** Rows waiting for the store (after a failure). */
  readonly pendingRows: number;
  /** Rows dropped because the store kept failing, and the requests they held. */
  readonly droppedRows: number;
  readonly droppedRequests: number;
  readonly flushes: number;
  readonly failures: number;
}

export class AnalyticsAggregator {
  readonly #store: Pick<AnalyticsStore, 'add'>;
  readonly #topK: number;
  readonly #maxPending: number;
  readonly #onError: (err: unknown) => void;
  readonly #timers: FlushTimers;
  #timer: unknown;
  /** The newest bucket of each zone (the hot path). */
  #current = new Map<string, MinuteBucket>();
  /** Older buckets (a request logged just after the minute turned), by `${zone}\n${minute}`. */
  #older = new Map<string, MinuteBucket>();
  readonly #pending = new Map<string, AnalyticsDelta>();
  #flushing: Promise<void> | undefined;
  #closed = false;
  #droppedRows = 0;
  #droppedRequests = 0;
  #flushes = 0;
  #failures = 0;

  constructor(opts: AnalyticsAggregatorOptions) {
    this.#store = opts.store;
    this.#topK = opts.topK ?? DEFAULT_TOP_K;
    this.#maxPending = opts.maxPendingRows ?? 1440;
    if (!Number.isSafeInteger(this.#maxPending) || this.#maxPending < 1) throw new RangeError('maxPendingRows must be a positive integer');
    this.#onError = opts.onError ?? (() => {});
    this.#timers = opts.timers ?? realTimers;
    const every = opts.flushIntervalMs ?? 5000;
    if (!Number.isFinite(every) || every < 0) throw new RangeError('flushIntervalMs must be ≥ 0');
    if (every > 0) this.#timer = this.#timers.setInterval(() => { void this.flush(); }, every);
  }

  /** Count one request. O(1) (amortised for the top lists); ignores undefined (a request without a zone). */
  record(s: AnalyticsSample | undefined): void {
    if (s === undefined || this.#closed) return;
    const minute = s.time - (s.time % MINUTE_MS);
    let b = this.#current.get(s.zoneId);
    if (b === undefined || b.minute !== minute) {
      if (b === undefined || minute > b.minute) {
        if (b !== undefined) this.#older.set(`${b.zoneId}\n${b.minute}`, b);
        b = new MinuteBucket(s.zoneId, minute, this.#topK);
        this.#current.set(s.zoneId, b);
      } else {
        const key = `${s.zoneId}\n${minute}`;
        let o = this.#older.get(key);
        if (o === undefined) { o = new MinuteBucket(s.zoneId, minute, this.#topK); this.#older.set(key, o); }
        b = o;
      }
    }
    b.add(s);
  }

  get stats(): AggregatorStats {
    return { pendingRows: this.#pending.size, droppedRows: this.#droppedRows, droppedRequests: this.#droppedRequests, flushes: this.#flushes, failures: this.#failures };
  }

  /** Hand every bucket to the store. Resolves when done (a store failure is reported to onError, not thrown). */
  flush(): Promise<void> {
    const prev = this.#flushing;
    const run = (async () => {
      if (prev !== undefined) await prev;
      await this.#flushNow();
    })();
    this.#flushing = run;
    void run.finally(() => { if (this.#flushing === run) this.#flushing = undefined; });
    return run;
  }

  async #flushNow(): Promise<void> {
    const buckets = [...this.#older.values(), ...this.#current.values()];
    this.#older = new Map();
    this.#current = new Map();
    for (const b of buckets) {
      const d = b.toDelta();
      const key = `${d.zoneId}\n${d.bucket}`;
      const had = this.#pending.get(key);
      this.#pending.set(key, had === undefined ? d : mergeRows(had, d, this.#topK));
    }
    if (this.#pending.size > this.#maxPending) {
      const byAge = [...this.#pending.entries()].sort((a, b) => a[1].bucket - b[1].bucket);
      for (let i = 0; i < byAge.length - this.#maxPending; i++) {
        const [key, d] = byAge[i]!;
        this.#pending.delete(key);
        this.#droppedRows++;
        this.#droppedRequests += d.requests;
      }
    }
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending.values()];
    try {
      await this.#store.add(batch);
      for (const d of batch) {
        const key = `${d.zoneId}\n${d.bucket}`;
        if (this.#pending.get(key) === d) this.#pending.delete(key);
      }
      this.#flushes++;
    } catch (err) {
      this.#failures++;
      this.#onError(err);
    }
  }

  /** Stop the timer and flush what is left. Later `record`s are ignored. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) { this.#timers.clearInterval(this.#timer); this.#timer = undefined; }
    this.#closed = true;
    await this.flush();
  }
}
