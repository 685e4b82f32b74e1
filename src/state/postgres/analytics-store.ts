/**
 * AnalyticsStore on PostgreSQL: one row per (zone, resolution, bucket) in `analytics_rows`, counters in columns
 * (double precision: exact for integers up to 2^53), the sketches as JSON/text. `add` merges a whole flush in one
 * transaction: it takes a transaction-level advisory lock per zone (in a fixed order, so writers never deadlock),
 * reads the existing rows, merges in JS with the shared row algebra and upserts, so concurrent writers from every
 * node never lose a delta. Rollup works zone by zone under the same lock; prune is one DELETE.
 */
import type { PoolClient } from 'pg';
import { buildSeries, checkDelta, foldIntoHours, HOUR_RETENTION_MS, mergeRows, rollupBefore } from '../../analytics/rows.ts';
import type { AnalyticsDelta, AnalyticsQuery, AnalyticsResolution, AnalyticsSeries, AnalyticsStore } from '../ports.ts';
import type { PgDatabase } from './database.ts';
import { ANALYTICS_LOCK_CLASS } from './migrate.ts';

interface Row {
  zone_id: string; resolution: string; bucket: string; requests: number; bytes: number; cached_requests: number; cached_bytes: number;
  pageviews: number; s1xx: number; s2xx: number; s3xx: number; s4xx: number; s5xx: number; threats: string; uniques: string; top: string;
}

const COLUMNS = 'zone_id, resolution, bucket, requests, bytes, cached_requests, cached_bytes, pageviews, s1xx, s2xx, s3xx, s4xx, s5xx, threats, uniques, top';

function fromRow(r: Row): AnalyticsDelta {
  return {
    zoneId: r.zone_id, resolution: r.resolution as AnalyticsResolution, bucket: Number(r.bucket), requests: Number(r.requests), bytes: Number(r.bytes),
    cachedRequests: Number(r.cached_requests), cachedBytes: Number(r.cached_bytes), pageviews: Number(r.pageviews),
    status: { '1xx': Number(r.s1xx), '2xx': Number(r.s2xx), '3xx': Number(r.s3xx), '4xx': Number(r.s4xx), '5xx': Number(r.s5xx) },
    threats: JSON.parse(r.threats) as Record<string, number>, uniques: r.uniques, top: JSON.parse(r.top) as AnalyticsDelta['top'],
  };
}

const keyOf = (d: AnalyticsDelta): string => `${d.zoneId}\n${d.resolution}\n${d.bucket}`;

/** FNV-1a 32-bit of the zone id as a signed int4: the second key of the zone's advisory lock (same on every node). */
export function zoneLockKey(zoneId: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(zoneId, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

async function lockZones(c: PoolClient, zoneIds: Iterable<string>): Promise<void> {
  const keys = [...new Set([...zoneIds].map(zoneLockKey))].sort((a, b) => a - b);
  for (const k of keys) await c.query('SELECT pg_advisory_xact_lock($1, $2)', [ANALYTICS_LOCK_CLASS, k]);
}

/** Reads the stored rows for `keys`, merges `rows` into them and upserts the result (caller holds the zone locks). */
async function mergeInto(c: PoolClient, rows: readonly AnalyticsDelta[]): Promise<void> {
  const merged = new Map<string, AnalyticsDelta>();
  for (const d of rows) {
    const had = merged.get(keyOf(d));
    merged.set(keyOf(d), had === undefined ? d : mergeRows(had, d));
  }
  const wanted = [...merged.values()];
  const existing = await c.query<Row>(
    `SELECT ${COLUMNS} FROM analytics_rows WHERE (zone_id, resolution, bucket) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]))`,
    [wanted.map((d) => d.zoneId), wanted.map((d) => d.resolution), wanted.map((d) => d.bucket)],
  );
  for (const r of existing.rows) {
    const stored = fromRow(r);
    const delta = merged.get(keyOf(stored));
    if (delta !== undefined) merged.set(keyOf(stored), mergeRows(stored, delta));
  }
  const out = [...merged.values()];
  const cols: unknown[][] = Array.from({ length: 16 }, () => []);
  for (const r of out) {
    const v = [r.zoneId, r.resolution, r.bucket, r.requests, r.bytes, r.cachedRequests, r.cachedBytes, r.pageviews,
      r.status['1xx'], r.status['2xx'], r.status['3xx'], r.status['4xx'], r.status['5xx'], JSON.stringify(r.threats), r.uniques, JSON.stringify(r.top)];
    v.forEach((x, i) => cols[i]!.push(x));
  }
  await c.query(
    `INSERT INTO analytics_rows (${COLUMNS})
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[],
       $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::float8[], $14::text[], $15::text[], $16::text[])
     ON CONFLICT (zone_id, resolution, bucket) DO UPDATE SET
       requests = excluded.requests, bytes = excluded.bytes, cached_requests = excluded.cached_requests, cached_bytes = excluded.cached_bytes,
       pageviews = excluded.pageviews, s1xx = excluded.s1xx, s2xx = excluded.s2xx, s3xx = excluded.s3xx, s4xx = excluded.s4xx,
       s5xx = excluded.s5xx, threats = excluded.threats, uniques = excluded.uniques, top = excluded.top`,
    cols,
  );
}

export interface PostgresAnalyticsStoreOptions {
  db: PgDatabase;
  /** Close `db` in close() (default false). */
  ownsDb?: boolean;
}

export class PostgresAnalyticsStore implements AnalyticsStore {
  readonly #db: PgDatabase;
  readonly #ownsDb: boolean;

  constructor(opts: PostgresAnalyticsStoreOptions) {
    this.#db = opts.db;
    this.#ownsDb = opts.ownsDb ?? false;
  }

  async add(rows: readonly AnalyticsDelta[]): Promise<void> {
    rows.forEach((d, i) => checkDelta(d, i));
    if (rows.length === 0) return;
    await this.#db.transaction(async (c) => {
      await lockZones(c, rows.map((d) => d.zoneId));
      await mergeInto(c, rows);
    });
  }

  async query(q: AnalyticsQuery): Promise<AnalyticsSeries> {
    const rows = await this.#db.query<Row>(`SELECT ${COLUMNS} FROM analytics_rows WHERE zone_id = $1 AND bucket >= $2 AND bucket < $3 ORDER BY bucket`,
      [q.zoneId, Math.floor(q.since), Math.ceil(q.until)]);
    return buildSeries(q, rows.map(fromRow));
  }

  async rollup(now: number): Promise<number> {
    const before = rollupBefore(now);
    const zones = await this.#db.query<{ zone_id: string }>("SELECT DISTINCT zone_id FROM analytics_rows WHERE resolution = 'minute' AND bucket < $1", [before]);
    let rolled = 0;
    for (const { zone_id: zoneId } of zones) {
      rolled += await this.#db.transaction(async (c) => {
        await lockZones(c, [zoneId]);
        const old = (await c.query<Row>(`SELECT ${COLUMNS} FROM analytics_rows WHERE zone_id = $1 AND resolution = 'minute' AND bucket < $2`, [zoneId, before])).rows.map(fromRow);
        if (old.length === 0) return 0;
        await mergeInto(c, foldIntoHours(old));
        await c.query("DELETE FROM analytics_rows WHERE zone_id = $1 AND resolution = 'minute' AND bucket < $2", [zoneId, before]);
        return old.length;
      });
    }
    return rolled;
  }

  async prune(now: number): Promise<number> {
    return (await this.#db.run("DELETE FROM analytics_rows WHERE resolution = 'hour' AND bucket < $1", [now - HOUR_RETENTION_MS])).rowCount;
  }

  async close(): Promise<void> {
    if (this.#ownsDb) await this.#db.close();
  }
}
