/**
 * The row algebra every AnalyticsStore adapter shares (memory, SQLite, Postgres): validating a delta, merging two
 * rows of the same bucket, folding minute rows into hours, and building a query's series from stored rows. Pure:
 * imports only the port types and the sketches, so any adapter can use it.
 */
import type {
  AnalyticsDelta, AnalyticsPoint, AnalyticsQuery, AnalyticsResolution, AnalyticsSeries, AnalyticsStatusCounts,
  AnalyticsTopEntry, AnalyticsTopSketch, AnalyticsTopSketches, AnalyticsTotals,
} from '../state/ports.ts';
import { HyperLogLog, mergeEncodedHll } from './hll.ts';
import { checkTopSketch, DEFAULT_TOP_K, mergeTopSketches, TopMerger } from './top-k.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Minute rows are kept this long before being rolled into hours. */
export const MINUTE_RETENTION_MS = DAY_MS;
/** Hourly rows are kept this long. */
export const HOUR_RETENTION_MS = 90 * DAY_MS;

export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];
export const TOP_DIMENSIONS = ['ips', 'paths', 'countries', 'asns', 'userAgents'] as const;
export type TopDimension = (typeof TOP_DIMENSIONS)[number];

export const resolutionMs = (r: AnalyticsResolution): number => (r === 'minute' ? MINUTE_MS : HOUR_MS);

/** First bucket of minute rows that are kept (older minute rows get rolled into hours). */
export function rollupBefore(now: number): number {
  return Math.floor((now - MINUTE_RETENTION_MS) / HOUR_MS) * HOUR_MS;
}

export const EMPTY_SKETCH: AnalyticsTopSketch = Object.freeze({ floor: 0, items: Object.freeze([]) as AnalyticsTopSketch['items'] });
const ZERO_STATUS: AnalyticsStatusCounts = Object.freeze({ '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 });

export function emptyRow(zoneId: string, resolution: AnalyticsResolution, bucket: number): AnalyticsDelta {
  return {
    zoneId, resolution, bucket, requests: 0, bytes: 0, cachedRequests: 0, cachedBytes: 0, pageviews: 0, status: ZERO_STATUS, threats: {},
    uniques: '', top: { ips: EMPTY_SKETCH, paths: EMPTY_SKETCH, countries: EMPTY_SKETCH, asns: EMPTY_SKETCH, userAgents: EMPTY_SKETCH },
  };
}

const count = (v: unknown, where: string): void => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`${where}: not a finite number ≥ 0`);
};

/** Throws RangeError (naming the field) unless `d` is a well-formed delta. */
export function checkDelta(d: AnalyticsDelta, i = 0): void {
  const w = `rows[${i}]`;
  if (typeof d !== 'object' || d === null) throw new RangeError(`${w}: not an object`);
  if (typeof d.zoneId !== 'string' || d.zoneId === '') throw new RangeError(`${w}.zoneId: not a non-empty string`);
  if (d.resolution !== 'minute' && d.resolution !== 'hour') throw new RangeError(`${w}.resolution: must be 'minute' or 'hour'`);
  if (!Number.isSafeInteger(d.bucket) || d.bucket % resolutionMs(d.resolution) !== 0) throw new RangeError(`${w}.bucket: not a ${d.resolution} boundary (ms since the epoch)`);
  for (const f of ['requests', 'bytes', 'cachedRequests', 'cachedBytes', 'pageviews'] as const) count(d[f], `${w}.${f}`);
  if (typeof d.status !== 'object' || d.status === null) throw new RangeError(`${w}.status: not an object`);
  for (const c of STATUS_CLASSES) count(d.status[c], `${w}.status.${c}`);
  if (typeof d.threats !== 'object' || d.threats === null) throw new RangeError(`${w}.threats: not an object`);
  for (const [k, v] of Object.entries(d.threats)) {
    if (!/^[a-z][a-z0-9_.-]{0,31}$/.test(k)) throw new RangeError(`${w}.threats: "${k.slice(0, 40)}" is not a threat kind`);
    count(v, `${w}.threats.${k}`);
  }
  if (typeof d.uniques !== 'string') throw new RangeError(`${w}.uniques: not a string`);
  HyperLogLog.decode(d.uniques);
  if (typeof d.top !== 'object' || d.top === null) throw new RangeError(`${w}.top: not an object`);
  for (const dim of TOP_DIMENSIONS) checkTopSketch(d.top[dim], `${w}.top.${dim}`);
}

function addRecords(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function addStatus(a: AnalyticsStatusCounts, b: AnalyticsStatusCounts): AnalyticsStatusCounts {
  return { '1xx': a['1xx'] + b['1xx'], '2xx': a['2xx'] + b['2xx'], '3xx': a['3xx'] + b['3xx'], '4xx': a['4xx'] + b['4xx'], '5xx': a['5xx'] + b['5xx'] };
}

function mergeTops(a: AnalyticsTopSketches, b: AnalyticsTopSketches, k: number): AnalyticsTopSketches {
  return {
    ips: mergeTopSketches(a.ips, b.ips, k), paths: mergeTopSketches(a.paths, b.paths, k), countries: mergeTopSketches(a.countries, b.countries, k),
    asns: mergeTopSketches(a.asns, b.asns, k), userAgents: mergeTopSketches(a.userAgents, b.userAgents, k),
  };
}

/** Merge `b` into `a` (same zone; the result keeps `a`'s zone, resolution and bucket). */
export function mergeRows(a: AnalyticsDelta, b: AnalyticsDelta, k = DEFAULT_TOP_K, uniques = true): AnalyticsDelta {
  return {
    zoneId: a.zoneId, resolution: a.resolution, bucket: a.bucket,
    requests: a.requests + b.requests, bytes: a.bytes + b.bytes, cachedRequests: a.cachedRequests + b.cachedRequests,
    cachedBytes: a.cachedBytes + b.cachedBytes, pageviews: a.pageviews + b.pageviews, status: addStatus(a.status, b.status),
    threats: addRecords(a.threats, b.threats), uniques: uniques ? mergeEncodedHll(a.uniques, b.uniques) : '', top: mergeTops(a.top, b.top, k),
  };
}

/** Sums many rows at once (a query's points and totals, a rollup's hours): linear in the rows' size. */
export class RowAccumulator {
  readonly zoneId: string;
  readonly resolution: AnalyticsResolution;
  readonly bucket: number;
  requests = 0;
  bytes = 0;
  cachedRequests = 0;
  cachedBytes = 0;
  pageviews = 0;
  readonly status = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  readonly threats: Record<string, number> = {};
  readonly hll = new HyperLogLog();
  /** Undefined when built with k = 0 (a point of a series: its top lists are not needed). */
  readonly tops: Record<TopDimension, TopMerger> | undefined;

  constructor(zoneId: string, resolution: AnalyticsResolution, bucket: number, k = DEFAULT_TOP_K) {
    this.zoneId = zoneId;
    this.resolution = resolution;
    this.bucket = bucket;
    this.tops = k === 0 ? undefined : { ips: new TopMerger(k), paths: new TopMerger(k), countries: new TopMerger(k), asns: new TopMerger(k), userAgents: new TopMerger(k) };
  }

  /** Add a row; `hll` is its decoded `uniques` when the caller has it already. */
  add(r: AnalyticsDelta, hll?: HyperLogLog): void {
    this.requests += r.requests;
    this.bytes += r.bytes;
    this.cachedRequests += r.cachedRequests;
    this.cachedBytes += r.cachedBytes;
    this.pageviews += r.pageviews;
    for (const c of STATUS_CLASSES) this.status[c] += r.status[c];
    for (const [k, v] of Object.entries(r.threats)) this.threats[k] = (this.threats[k] ?? 0) + v;
    if (hll !== undefined) this.hll.merge(hll);
    else if (r.uniques !== '') this.hll.merge(HyperLogLog.decode(r.uniques));
    if (this.tops !== undefined) for (const d of TOP_DIMENSIONS) this.tops[d].add(r.top[d]);
  }

  toRow(): AnalyticsDelta {
    const t = this.tops;
    return {
      zoneId: this.zoneId, resolution: this.resolution, bucket: this.bucket, requests: this.requests, bytes: this.bytes,
      cachedRequests: this.cachedRequests, cachedBytes: this.cachedBytes, pageviews: this.pageviews, status: { ...this.status },
      threats: { ...this.threats }, uniques: this.hll.encode(),
      top: t === undefined ? { ips: EMPTY_SKETCH, paths: EMPTY_SKETCH, countries: EMPTY_SKETCH, asns: EMPTY_SKETCH, userAgents: EMPTY_SKETCH }
        : { ips: t.ips.result(), paths: t.paths.result(), countries: t.countries.result(), asns: t.asns.result(), userAgents: t.userAgents.result() },
    };
  }

  totals(): AnalyticsTotals {
    return {
      requests: this.requests, bytes: this.bytes, cachedRequests: this.cachedRequests, cachedBytes: this.cachedBytes, pageviews: this.pageviews,
      status: { ...this.status }, threats: { ...this.threats }, uniques: this.hll.estimate(),
    };
  }
}

/** Fold minute rows into hourly rows (one per zone and hour), ready to be merged into the stored hourly rows. */
export function foldIntoHours(minutes: readonly AnalyticsDelta[]): AnalyticsDelta[] {
  const byKey = new Map<string, RowAccumulator>();
  for (const m of minutes) {
    const hour = Math.floor(m.bucket / HOUR_MS) * HOUR_MS;
    const key = `${m.zoneId}\n${hour}`;
    let acc = byKey.get(key);
    if (acc === undefined) { acc = new RowAccumulator(m.zoneId, 'hour', hour); byKey.set(key, acc); }
    acc.add(m);
  }
  return [...byKey.values()].map((a) => a.toRow());
}

function topEntries(s: AnalyticsTopSketch, n: number): AnalyticsTopEntry[] {
  return s.items.slice(0, n).map(([key, c, e]) => ({ key, count: c, error: e }));
}

/**
 * The answer to a query from the stored rows of that zone whose bucket lies in [since, until) (any order, both
 * resolutions). 'minute' keeps each row as its own point (an hourly row, where minutes were rolled up, is one
 * point an hour wide); 'hour' folds minute rows into their hour.
 */
export function buildSeries(q: AnalyticsQuery, rows: readonly AnalyticsDelta[]): AnalyticsSeries {
  const resolution = q.resolution ?? 'minute';
  const n = Math.min(Math.max(Math.trunc(q.top ?? 10), 1), DEFAULT_TOP_K);
  const byPoint = new Map<number, RowAccumulator>();
  const total = new RowAccumulator(q.zoneId, resolution, q.since);
  for (const r of rows) {
    if (r.zoneId !== q.zoneId || r.bucket < q.since || r.bucket >= q.until) continue;
    const res: AnalyticsResolution = resolution === 'hour' ? 'hour' : r.resolution;
    const start = Math.floor(r.bucket / resolutionMs(res)) * resolutionMs(res);
    // a minute row and the hourly row it was rolled into share a start only when a late delta arrived: kept apart
    const key = res === 'hour' ? start + 1 : start;
    let acc = byPoint.get(key);
    if (acc === undefined) { acc = new RowAccumulator(q.zoneId, res, start, 0); byPoint.set(key, acc); }
    const h = r.uniques === '' ? undefined : HyperLogLog.decode(r.uniques);
    acc.add(r, h);
    total.add(r, h);
  }
  const pts = [...byPoint.values()].sort((a, b) => a.bucket - b.bucket || (a.resolution === b.resolution ? 0 : a.resolution === 'hour' ? 1 : -1));
  const points: AnalyticsPoint[] = pts.map((p) => ({ since: p.bucket, until: p.bucket + resolutionMs(p.resolution), ...p.totals() }));
  const top = (d: TopDimension): AnalyticsTopEntry[] => topEntries(total.tops![d].result(), n);
  return {
    zoneId: q.zoneId, since: q.since, until: q.until, resolution, points, totals: total.totals(),
    top: { ips: top('ips'), paths: top('paths'), countries: top('countries'), asns: top('asns'), userAgents: top('userAgents') },
  };
}
