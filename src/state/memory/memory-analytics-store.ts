/**
 * AnalyticsStore in process memory (tests, single-process nodes without a data directory). Rows are kept per zone
 * as merged deltas; the row algebra (merge, rollup folding, series building) is shared with the other adapters.
 */
import { buildSeries, checkDelta, foldIntoHours, HOUR_RETENTION_MS, mergeRows, rollupBefore } from '../../analytics/rows.ts';
import type { AnalyticsDelta, AnalyticsQuery, AnalyticsSeries, AnalyticsStore } from '../ports.ts';

export class MemoryAnalyticsStore implements AnalyticsStore {
  /** zoneId → `${resolution}:${bucket}` → row. */
  readonly #zones = new Map<string, Map<string, AnalyticsDelta>>();

  async add(rows: readonly AnalyticsDelta[]): Promise<void> {
    rows.forEach((d, i) => checkDelta(d, i));
    for (const d of rows) this.#merge(d);
  }

  #merge(d: AnalyticsDelta): void {
    let z = this.#zones.get(d.zoneId);
    if (z === undefined) { z = new Map(); this.#zones.set(d.zoneId, z); }
    const key = `${d.resolution}:${d.bucket}`;
    const had = z.get(key);
    z.set(key, had === undefined ? structuredClone(d) : mergeRows(had, d));
  }

  async query(q: AnalyticsQuery): Promise<AnalyticsSeries> {
    const z = this.#zones.get(q.zoneId);
    const rows = z === undefined ? [] : [...z.values()].filter((r) => r.bucket >= q.since && r.bucket < q.until);
    return buildSeries(q, rows);
  }

  async rollup(now: number): Promise<number> {
    const before = rollupBefore(now);
    const old: AnalyticsDelta[] = [];
    for (const z of this.#zones.values()) {
      for (const [key, r] of z) if (r.resolution === 'minute' && r.bucket < before) { old.push(r); z.delete(key); }
    }
    for (const h of foldIntoHours(old)) this.#merge(h);
    return old.length;
  }

  async prune(now: number): Promise<number> {
    const before = now - HOUR_RETENTION_MS;
    let n = 0;
    for (const [zoneId, z] of this.#zones) {
      for (const [key, r] of z) if (r.resolution === 'hour' && r.bucket < before) { z.delete(key); n++; }
      if (z.size === 0) this.#zones.delete(zoneId);
    }
    return n;
  }

  async close(): Promise<void> {}
}
