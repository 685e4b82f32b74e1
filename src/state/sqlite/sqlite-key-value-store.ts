/**
 * Key-value with TTL in SQLite, shared by every process that opens the same file.
 *
 * Expired rows are invisible at once (every read compares `expires_at` with the injected clock) and deleted by a
 * periodic sweep on an unref'd timer. `setIfAbsent` is one UPSERT statement; `incr` runs in BEGIN IMMEDIATE, so
 * both are atomic across processes. No entry cap: the store is on disk and expired rows are swept.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Clock } from '../../lib/clock.ts';
import type { Closeable, KeyValueStore } from '../ports.ts';
import { checkTtl, parseCounter } from '../kv-rules.ts';
import { immediateTransaction } from './open-sqlite.ts';

export interface SqliteKeyValueStoreOptions {
  db: DatabaseSync;
  clock: Clock;
  /** Period of the expiry sweep in real milliseconds; 0 disables the timer. Default 60,000. */
  sweepIntervalMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS state_kv (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS state_kv_expires ON state_kv (expires_at) WHERE expires_at IS NOT NULL`;

const LIVE = '(expires_at IS NULL OR expires_at > ?)';

export class SqliteKeyValueStore implements KeyValueStore, Closeable {
  readonly #db: DatabaseSync;
  readonly #clock: Clock;
  readonly #get: StatementSync;
  readonly #set: StatementSync;
  readonly #setIfAbsent: StatementSync;
  readonly #delete: StatementSync;
  readonly #sweep: StatementSync;
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(options: SqliteKeyValueStoreOptions) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#db.exec(SCHEMA);
    this.#get = this.#db.prepare(`SELECT value, expires_at FROM state_kv WHERE key = ? AND ${LIVE}`);
    this.#set = this.#db.prepare(`
      INSERT INTO state_kv (key, value, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`);
    // Inserts when absent, overwrites only an expired row; RETURNING yields a row only when this call stored.
    this.#setIfAbsent = this.#db.prepare(`
      INSERT INTO state_kv (key, value, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
        WHERE state_kv.expires_at IS NOT NULL AND state_kv.expires_at <= ?
      RETURNING 1 AS stored`);
    this.#delete = this.#db.prepare('DELETE FROM state_kv WHERE key = ? RETURNING expires_at');
    this.#sweep = this.#db.prepare('DELETE FROM state_kv WHERE expires_at IS NOT NULL AND expires_at <= ?');
    const every = options.sweepIntervalMs ?? 60_000;
    if (every > 0) {
      this.#timer = setInterval(() => {
        try {
          this.sweep();
        } catch {
          // Busy or closed database: the next sweep retries; expired rows are invisible anyway.
        }
      }, every);
      this.#timer.unref();
    }
  }

  async get(key: string): Promise<string | undefined> {
    const row = this.#get.get(key, this.#clock.now());
    return row === undefined ? undefined : String(row.value);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    checkTtl(ttlMs);
    this.#set.run(key, value, this.#expiry(ttlMs));
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    checkTtl(ttlMs);
    const now = this.#clock.now();
    return this.#setIfAbsent.get(key, value, ttlMs === undefined ? null : now + ttlMs, now) !== undefined;
  }

  async incr(key: string, by = 1, ttlMs?: number): Promise<number> {
    checkTtl(ttlMs);
    if (!Number.isSafeInteger(by)) throw new RangeError(`incr: by must be a safe integer, got ${String(by)}`);
    return immediateTransaction(this.#db, () => {
      const now = this.#clock.now();
      const row = this.#get.get(key, now);
      const next = (row === undefined ? 0 : parseCounter(key, String(row.value))) + by;
      if (!Number.isSafeInteger(next)) throw new RangeError(`incr: ${key} would overflow`);
      // The TTL is set only when incr creates the key; an existing key keeps its expiry (Redis INCR + EXPIRE NX).
      const expiresAt = row === undefined ? (ttlMs === undefined ? null : now + ttlMs) : (row.expires_at ?? null);
      this.#set.run(key, String(next), expiresAt as number | null);
      return next;
    });
  }

  async delete(key: string): Promise<boolean> {
    const row = this.#delete.get(key);
    if (row === undefined) return false;
    return row.expires_at === null || Number(row.expires_at) > this.#clock.now();
  }

  async ttl(key: string): Promise<number | undefined> {
    const now = this.#clock.now();
    const row = this.#get.get(key, now);
    if (row === undefined) return undefined;
    return row.expires_at === null ? Infinity : Number(row.expires_at) - now;
  }

  /** Deletes expired rows; returns how many. Runs on the timer; public for tests. */
  sweep(): number {
    return Number(this.#sweep.run(this.#clock.now()).changes);
  }

  /** Stops the sweep timer. The database belongs to the caller and stays open. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }

  #expiry(ttlMs: number | undefined): number | null {
    return ttlMs === undefined ? null : this.#clock.now() + ttlMs;
  }
}
