/**
 * AnalyticsStore on SQLite (`node:sqlite`, WAL): table `analytics_rows`, counters in columns, the sketches as
 * JSON/text. Every worker process of a node opens the same file (chosen by the caller, e.g. `analytics.db`).
 *
 * `add` only appends (one INSERT per delta, one transaction per flush): the edge worker that calls it does no
 * read-merge-write on its event loop, and concurrent writers never conflict. A (zone, resolution, bucket) may thus
 * hold several rows until `rollup` compacts them into one (every minute, by the maintenance task); `query` folds
 * whatever is there, so answers are the same before and after compaction.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { buildSeries, checkDelta, foldIntoHours, HOUR_MS, HOUR_RETENTION_MS, rollupBefore, RowAccumulator } from '../../analytics/rows.ts';
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
  readonly #put: StatementSync;
  readonly #range: StatementSync;
  /** Rows up to this id were compacted by this instance's last rollup. */
  #compactedUpTo = 0;

  constructor(opts: SqliteAnalyticsStoreOptions) {
    if (opts.db !== undefined) { this.#db = opts.db; this.#owned = false; }
    else if (opts.path !== undefined) { this.#db = openSqlite(opts.path); this.#owned = true; }
    else throw new TypeError('SqliteAnalyticsStore needs a db or a path');
    // under the write lock: worker processes starting together must not race on the schema (a read lock upgraded
    // to a write lock fails at once with SQLITE_BUSY instead of waiting)
    immediateTransaction(this.#db, () => this.#db.exec(`CREATE TABLE IF NOT EXISTS analytics_rows (
      id INTEGER PRIMARY KEY AUTOINCREMENT, zone_id TEXT NOT NULL, resolution TEXT NOT NULL, bucket INTEGER NOT NULL,
      requests INTEGER NOT NULL, bytes INTEGER NOT NULL, cached_requests INTEGER NOT NULL, cached_bytes INTEGER NOT NULL,
      pageviews INTEGER NOT NULL, s1xx INTEGER NOT NULL, s2xx INTEGER NOT NULL, s3xx INTEGER NOT NULL, s4xx INTEGER NOT NULL,
      s5xx INTEGER NOT NULL, threats TEXT NOT NULL, uniques TEXT NOT NULL, top TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS analytics_rows_zone ON analytics_rows(zone_id, bucket);
      CREATE INDEX IF NOT EXISTS analytics_rows_age ON analytics_rows(resolution, bucket);`));
    this.#put = this.#db.prepare(`INSERT INTO analytics_rows
      (zone_id, resolution, bucket, requests, bytes, cached_requests, cached_bytes, pageviews, s1xx, s2xx, s3xx, s4xx, s5xx, threats, uniques, top)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#range = this.#db.prepare('SELECT * FROM analytics_rows WHERE zone_id = ? AND bucket >= ? AND bucket < ?');
  }

  #insert(r: AnalyticsDelta): void {
    this.#put.run(r.zoneId, r.resolution, r.bucket, r.requests, r.bytes, r.cachedRequests, r.cachedBytes, r.pageviews,
      r.status['1xx'], r.status['2xx'], r.status['3xx'], r.status['4xx'], r.status['5xx'], JSON.stringify(r.threats), r.uniques, JSON.stringify(r.top));
  }

  async add(rows: readonly AnalyticsDelta[]): Promise<void> {
    rows.forEach((d, i) => checkDelta(d, i));
    if (rows.length === 0) return;
    immediateTransaction(this.#db, () => { for (const d of rows) this.#insert(d); });
  }

  async query(q: AnalyticsQuery): Promise<AnalyticsSeries> {
    const rows = (this.#range.all(q.zoneId, q.since, q.until) as unknown as Row[]).map(fromRow);
    return buildSeries(q, rows);
  }

  /** Merge the rows of one (zone, resolution, bucket) into one, in its own short transaction. */
  #compactKey(zoneId: string, resolution: AnalyticsResolution, bucket: number): void {
    immediateTransaction(this.#db, () => {
      const rows = this.#db.prepare('SELECT * FROM analytics_rows WHERE zone_id = ? AND resolution = ? AND bucket = ?').all(zoneId, resolution, bucket) as unknown as Array<Row & { id: number }>;
      if (rows.length < 2) return;
      const acc = new RowAccumulator(zoneId, resolution, bucket);
      for (const r of rows) acc.add(fromRow(r));
      this.#db.prepare('DELETE FROM analytics_rows WHERE zone_id = ? AND resolution = ? AND bucket = ?').run(zoneId, resolution, bucket);
      this.#insert(acc.toRow());
    });
  }

  /**
   * Rolls up and compacts in many short transactions (one per zone and hour, one per bucket to compact), so the
   * write lock that edge workers wait for on `add` is never held for long.
   */
  async rollup(now: number): Promise<number> {
    const before = rollupBefore(now);
    const hours = this.#db.prepare(`SELECT zone_id, (bucket / ${HOUR_MS}) * ${HOUR_MS} AS hour FROM analytics_rows
      WHERE resolution = 'minute' AND bucket < ? GROUP BY zone_id, hour`).all(before) as unknown as Array<{ zone_id: string; hour: number }>;
    let rolled = 0;
    for (const { zone_id: zoneId, hour } of hours) {
      rolled += immediateTransaction(this.#db, () => {
        const end = Math.min(hour + HOUR_MS, before);
        const old = (this.#db.prepare("SELECT * FROM analytics_rows WHERE zone_id = ? AND resolution = 'minute' AND bucket >= ? AND bucket < ?").all(zoneId, hour, end) as unknown as Row[]).map(fromRow);
        if (old.length === 0) return 0;
        for (const h of foldIntoHours(old)) this.#insert(h);
        this.#db.prepare("DELETE FROM analytics_rows WHERE zone_id = ? AND resolution = 'minute' AND bucket >= ? AND bucket < ?").run(zoneId, hour, end);
        return new Set(old.map((r) => r.bucket)).size;
      });
    }
    // a bucket holds several rows only if one of them came after the last compaction (ids only grow: AUTOINCREMENT)
    const top = (this.#db.prepare('SELECT max(id) AS id FROM analytics_rows').get() as { id: number | null }).id ?? 0;
    const keys = this.#db.prepare(`SELECT DISTINCT zone_id, resolution, bucket FROM analytics_rows a WHERE id > ? AND id <= ? AND EXISTS
      (SELECT 1 FROM analytics_rows b WHERE b.zone_id = a.zone_id AND b.bucket = a.bucket AND b.resolution = a.resolution AND b.id <> a.id)`).all(this.#compactedUpTo, top) as unknown as Array<{ zone_id: string; resolution: string; bucket: number }>;
    for (const k of keys) this.#compactKey(k.zone_id, k.resolution as AnalyticsResolution, k.bucket);
    this.#compactedUpTo = top;
    return rolled;
  }

  async prune(now: number): Promise<number> {
    const r = this.#db.prepare("DELETE FROM analytics_rows WHERE resolution = 'hour' AND bucket < ?").run(now - HOUR_RETENTION_MS);
    return Number(r.changes);
  }

  async close(): Promise<void> {
    if (this.#owned && this.#db.isOpen) this.#db.close();
  }
}
