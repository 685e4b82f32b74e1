/**
 * Publish/subscribe across the processes that share one SQLite file.
 *
 * Design: `publish` appends a row to `state_events` (AUTOINCREMENT ids, so ids grow in commit order and are never
 * reused). While an instance has subscribers, one unref'd timer per instance polls for rows with an id above its
 * cursor every `pollIntervalMs` and hands each row to the subscribers of its channel; a local publish also triggers
 * a poll at once. Latency: immediate within the publishing instance, up to `pollIntervalMs` (default 50 ms) plus
 * the query time in other processes. Delivery is at most once: rows older than `retentionMs` (default 60 s) are
 * deleted by publishers, so a process stalled for longer misses them. Every instance reads every row (filtering
 * channels in memory): meant for low-volume control messages (config published, purge, switches), not data.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { systemClock } from '../../lib/clock.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Closeable, EventBus, Unsubscribe } from '../ports.ts';

export interface SqliteEventBusOptions {
  db: DatabaseSync;
  /** Used to timestamp rows for retention. Default: the system clock. */
  clock?: Clock;
  /** Real milliseconds between polls while subscribed. Default 50. */
  pollIntervalMs?: number;
  /** Rows older than this are deleted (by publishers, at most once per second of clock time). Default 60,000. */
  retentionMs?: number;
  /** Most rows read per poll (the rest come on the next poll). Default 1000. */
  batchSize?: number;
  /** Called when a handler throws or a poll fails. Default: process.emitWarning. */
  onError?: (error: unknown, channel: string) => void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS state_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  channel TEXT NOT NULL,
  message TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS state_events_created ON state_events (created_at)`;

interface Subscription {
  readonly channel: string;
  readonly handler: (message: string) => void;
  /** Rows with an id above this were published after the subscription began. */
  readonly after: number;
}

export class SqliteEventBus implements EventBus, Closeable {
  readonly #clock: Clock;
  readonly #pollIntervalMs: number;
  readonly #retentionMs: number;
  readonly #onError: (error: unknown, channel: string) => void;
  readonly #insert: StatementSync;
  readonly #maxId: StatementSync;
  readonly #read: StatementSync;
  readonly #prune: StatementSync;
  readonly #subs = new Set<Subscription>();
  #cursor = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastPrune = Number.NEGATIVE_INFINITY;
  #pollQueued = false;
  #closed = false;

  constructor(options: SqliteEventBusOptions) {
    const { db } = options;
    this.#clock = options.clock ?? systemClock;
    this.#pollIntervalMs = options.pollIntervalMs ?? 50;
    this.#retentionMs = options.retentionMs ?? 60_000;
    this.#onError = options.onError ?? ((error, channel) => {
      process.emitWarning(`event bus (${channel}): ${String(error)}`, 'RampartEventBus');
    });
    db.exec(SCHEMA);
    this.#insert = db.prepare('INSERT INTO state_events (channel, message, created_at) VALUES (?, ?, ?)');
    this.#maxId = db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM state_events');
    this.#read = db.prepare(`SELECT id, channel, message FROM state_events WHERE id > ? ORDER BY id LIMIT ${options.batchSize ?? 1000}`);
    this.#prune = db.prepare('DELETE FROM state_events WHERE created_at < ?');
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.#closed) throw new Error('SqliteEventBus is closed');
    const now = this.#clock.now();
    this.#insert.run(channel, message, now);
    if (now - this.#lastPrune >= 1000) {
      this.#lastPrune = now;
      this.#prune.run(now - this.#retentionMs);
    }
    if (this.#subs.size > 0 && !this.#pollQueued) {
      this.#pollQueued = true;
      setImmediate(() => {
        this.#pollQueued = false;
        this.#poll();
      });
    }
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<Unsubscribe> {
    if (this.#closed) throw new Error('SqliteEventBus is closed');
    const after = Number(this.#maxId.get()?.id ?? 0);
    if (this.#subs.size === 0) {
      this.#cursor = after;
      this.#timer = setInterval(() => this.#poll(), this.#pollIntervalMs);
      this.#timer.unref();
    }
    const sub: Subscription = { channel, handler, after };
    this.#subs.add(sub);
    return async () => {
      if (!this.#subs.delete(sub)) return;
      if (this.#subs.size === 0 && this.#timer !== undefined) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
  }

  /** Stops polling and drops the subscriptions. The database belongs to the caller and stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#subs.clear();
  }

  #poll(): void {
    if (this.#closed || this.#subs.size === 0) return;
    let rows: Record<string, unknown>[];
    try {
      rows = this.#read.all(this.#cursor);
    } catch (error) {
      this.#onError(error, '*'); // e.g. SQLITE_BUSY beyond busy_timeout: retried on the next tick
      return;
    }
    for (const row of rows) {
      const id = Number(row.id);
      const channel = String(row.channel);
      const message = String(row.message);
      this.#cursor = id;
      for (const sub of [...this.#subs]) {
        if (sub.channel !== channel || id <= sub.after || !this.#subs.has(sub)) continue;
        try {
          sub.handler(message);
        } catch (error) {
          this.#onError(error, channel);
        }
      }
    }
  }
}
