/**
 * AnalyticsStore on SQLite (`node:sqlite`, WAL): one row per (zone, resolution, bucket) in `analytics_rows`,
 * counters in columns, the sketches as JSON/text. Every worker process of a node opens the same file (chosen by
 * the caller, e.g. `analytics.db`); `add` merges a whole flush in one BEGIN IMMEDIATE transaction (read, merge in
 * JS with the shared row algebra, upsert), so concurrent writers never lose a delta. Rollup and prune are one
 * transaction each.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { buildSeries, checkDelta, foldIntoHours, HOUR_RETENTION_MS, mergeRows, rollupBefore } from '../../analytics/rows.ts';
import type { AnalyticsDelta, AnalyticsQuery, AnalyticsResolution, AnalyticsSeries, AnalyticsStore } from '../ports.ts';
import { immediateTransaction, openSqlite } from './open-sqlite.ts';

interface Row {
  zone_id: string; resolution: string; bucket: number; requests: number; bytes: number; cached_requests: number; cached_bytes: number;
  pageviews: number; s1xx: number; s2xx: number; s3xx: number; s4xx: number; s5xx: number; threats: string; uniques: string; top: string;
}

function fromRow(r: Row): AnalyticsDelta {
  return {
    zoneId: r.zone_id, resolution: r.resolution as AnalyticsResolution, bucket: r.bucket, requests: r.requests, bytes: r.bytes,
    cachedRequests: r.cached_requests, cachedBytes: r.cached_bytes, pageviews: r.pageviews,
    status: { '1xx': r.s1xx, '2xx': r.s2xx, '3xx': r.s3xx, '4xx': r.s4xx, '5xx': r.s5xx },
    threats: JSON.parse(r.threats) as Record<string, number>, uniques: r.uniques, top: JSON.parse(r.top) as AnalyticsDelta['top'],
  };
}

export interface SqliteAnalyticsStoreOptions {
  /** A database opened by the caller (openSqlite), or a path to open (and close on `close`). */
  readonly db?: DatabaseSync;
  readonly path?: string;
}

export class SqliteAnalyticsStore implements AnalyticsStore {
  readonly #db: DatabaseSync;
  readonly #owned: boolean;
  readonly #get: StatementSync;
  readonly #put: StatementSync;
  readonly #range: StatementSync;

  constructor(opts: SqliteAnalyticsStoreOptions) {
    if (opts.db !== undefined) { this.#db = opts.db; this.#owned = false; }
    else if (opts.path !== undefined) { this.#db = openSqlite(opts.path); this.#owned = true; }
    else throw new TypeError('SqliteAnalyticsStore needs a db or a path');
    this.#db.exec(`CREATE TABLE IF NOT EXISTS analytics_rows (
      zone_id TEXT NOT NULL, resolution TEXT NOT NULL, bucket INTEGER NOT NULL,
      requests INTEGER NOT NULL, bytes INTEGER NOT NULL, cached_requests INTEGER NOT NULL, cached_bytes INTEGER NOT NULL,
      pageviews INTEGER NOT NULL, s1xx INTEGER NOT NULL, s2xx INTEGER NOT NULL, s3xx INTEGER NOT NULL, s4xx INTEGER NOT NULL,
      s5xx INTEGER NOT NULL, threats TEXT NOT NULL, uniques TEXT NOT NULL, top TEXT NOT NULL,
      PRIMARY KEY (zone_id, resolution, bucket)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS analytics_rows_age ON analytics_rows(resolution, bucket);`);
    this.#get = this.#db.prepare('SELECT * FROM analytics_rows WHERE zone_id = ? AND resolution = ? AND bucket = ?');
    this.#put = this.#db.prepare(`INSERT OR REPLACE INTO analytics_rows
      (zone_id, resolution, bucket, requests, bytes, cached_requests, cached_bytes, pageviews, s1xx, s2xx, s3xx, s4xx, s5xx, threats, uniques, top)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#range = this.#db.prepare('SELECT * FROM analytics_rows WHERE zone_id = ? AND bucket >= ? AND bucket < ?');
  }

  #merge(d: AnalyticsDelta): void {
    const had = this.#get.get(d.zoneId, d.resolution, d.bucket) as Row | undefined;
    const r = had === undefined ? d : mergeRows(fromRow(had), d);
    this.#put.run(r.zoneId, r.resolution, r.bucket, r.requests, r.bytes, r.cachedRequests, r.cachedBytes, r.pageviews,
      r.status['1xx'], r.status['2xx'], r.status['3xx'], r.status['4xx'], r.status['5xx'], JSON.stringify(r.threats), r.uniques, JSON.stringify(r.top));
  }

  async add(rows: readonly AnalyticsDelta[]): Promise<void> {
    rows.forEach((d, i) => checkDelta(d, i));
    if (rows.length === 0) return;
    immediateTransaction(this.#db, () => { for (const d of rows) this.#merge(d); });
  }

  async query(q: AnalyticsQuery): Promise<AnalyticsSeries> {
    const rows = (this.#range.all(q.zoneId, q.since, q.until) as unknown as Row[]).map(fromRow);
    return buildSeries(q, rows);
  }

  async rollup(now: number): Promise<number> {
    const before = rollupBefore(now);
    return immediateTransaction(this.#db, () => {
      const old = (this.#db.prepare("SELECT * FROM analytics_rows WHERE resolution = 'minute' AND bucket < ?").all(before) as unknown as Row[]).map(fromRow);
      if (old.length === 0) return 0;
      for (const h of foldIntoHours(old)) this.#merge(h);
      this.#db.prepare("DELETE FROM analytics_rows WHERE resolution = 'minute' AND bucket < ?").run(before);
      return old.length;
    });
  }

  async prune(now: number): Promise<number> {
    const r = this.#db.prepare("DELETE FROM analytics_rows WHERE resolution = 'hour' AND bucket < ?").run(now - HOUR_RETENTION_MS);
    return Number(r.changes);
  }

  async close(): Promise<void> {
    if (this.#owned && this.#db.isOpen) this.#db.close();
  }
}
