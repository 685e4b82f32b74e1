/**
 * Sliding-window counters in SQLite, shared by every process that opens the same file.
 *
 * Same two-bucket estimate as the memory adapter (`../sliding-window.ts`). Each (key, window) is one row
 * (bucket, curr, prev); a hit is a single UPSERT … RETURNING statement, so it is atomic across processes without an
 * explicit transaction. Rows that can no longer count are deleted by a periodic sweep on an unref'd timer.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Clock } from '../../lib/clock.ts';
import type { Closeable, CounterStore } from '../ports.ts';
import { bucketOf, checkCost, checkWindow, estimate } from '../sliding-window.ts';
import type { WindowState } from '../sliding-window.ts';

export interface SqliteCounterStoreOptions {
  db: DatabaseSync;
  clock: Clock;
  /** Period of the expiry sweep in real milliseconds; 0 disables the timer. Default 60,000. */
  sweepIntervalMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS state_counters (
  key TEXT NOT NULL,
  window_ms INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  curr REAL NOT NULL,
  prev REAL NOT NULL,
  PRIMARY KEY (key, window_ms)
) WITHOUT ROWID`;

function toState(row: Record<string, unknown> | undefined): WindowState | undefined {
  if (row === undefined) return undefined;
  return { bucket: Number(row.bucket), curr: Number(row.curr), prev: Number(row.prev) };
}

export class SqliteCounterStore implements CounterStore, Closeable {
  readonly #clock: Clock;
  readonly #hit: StatementSync;
  readonly #peek: StatementSync;
  readonly #reset: StatementSync;
  readonly #sweep: StatementSync;
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(options: SqliteCounterStoreOptions) {
    const { db } = options;
    this.#clock = options.clock;
    db.exec(SCHEMA);
    // Mirrors addHit(): unqualified columns are the stored row, `excluded` the incoming one.
    this.#hit = db.prepare(`
      INSERT INTO state_counters (key, window_ms, bucket, curr, prev) VALUES (?, ?, ?, ?, 0)
      ON CONFLICT (key, window_ms) DO UPDATE SET
        prev = CASE WHEN bucket >= excluded.bucket THEN prev WHEN bucket = excluded.bucket - 1 THEN curr ELSE 0 END,
        curr = CASE WHEN bucket >= excluded.bucket THEN curr + excluded.curr ELSE excluded.curr END,
        bucket = MAX(bucket, excluded.bucket)
      RETURNING bucket, curr, prev`);
    this.#peek = db.prepare('SELECT bucket, curr, prev FROM state_counters WHERE key = ? AND window_ms = ?');
    this.#reset = db.prepare('DELETE FROM state_counters WHERE key = ?');
    // bucket < floor(now / w) - 1  <=>  (bucket + 2) * w <= now
    this.#sweep = db.prepare('DELETE FROM state_counters WHERE (bucket + 2) * window_ms <= ?');
    const every = options.sweepIntervalMs ?? 60_000;
    if (every > 0) {
      this.#timer = setInterval(() => {
        try {
          this.sweep();
        } catch {
          // Busy or closed database: the next sweep retries; expired rows never count anyway.
        }
      }, every);
      this.#timer.unref();
    }
  }

  async hit(key: string, windowMs: number, cost = 1): Promise<number> {
    checkWindow(windowMs);
    checkCost(cost);
    const now = this.#clock.now();
    const state = toState(this.#hit.get(key, windowMs, bucketOf(now, windowMs), cost));
    return estimate(state, now, windowMs);
  }

  async peek(key: string, windowMs: number): Promise<number> {
    checkWindow(windowMs);
    return estimate(toState(this.#peek.get(key, windowMs)), this.#clock.now(), windowMs);
  }

  async reset(key: string): Promise<void> {
    this.#reset.run(key);
  }

  /** Deletes rows that can no longer count; returns how many. Runs on the timer; public for tests. */
  sweep(): number {
    return Number(this.#sweep.run(this.#clock.now()).changes);
  }

  /** Stops the sweep timer. The database belongs to the caller and stays open. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }
}
