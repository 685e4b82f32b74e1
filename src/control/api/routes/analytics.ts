/**
 * Zone analytics, Cloudflare-dashboard-shaped: GET /client/v4/zones/:id/analytics/dashboard?since=&until=
 * (`since`/`until`: ISO 8601, or minutes relative to now like Cloudflare's `-1440`; default the last 24 h).
 * Ranges up to 24 h come in minutes, longer ones in hours. Needs `analytics:read` on the zone.
 */
import type { AnalyticsPoint, AnalyticsSeries, AnalyticsStore, AnalyticsTopEntry, AnalyticsTotals } from '../../../state/ports.ts';
import type { ZoneService } from '../../services/zones.ts';
import { ApiError, API_CODES } from '../errors.ts';
import type { Router } from '../router.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The longest range a query may ask for (retention is 90 days). */
const MAX_RANGE_MS = 366 * DAY;

const bad = (param: string, msg: string): ApiError => new ApiError(400, API_CODES.validation, `query.${param}: ${msg}`, [{ code: API_CODES.validation, message: `query.${param}: ${msg}`, path: param }]);

/** A time parameter: ISO 8601, or an integer of minutes relative to `now` (≤ 0). */
export function parseAnalyticsTime(param: string, v: string | null, now: number, dflt: number): number {
  if (v === null || v === '') return dflt;
  if (/^[+-]?\d+$/.test(v)) {
    const minutes = Number(v);
    if (minutes > 0) throw bad(param, `"${v}" is in the future: relative times are minutes before now (e.g. -1440)`);
    if (!Number.isSafeInteger(minutes * MINUTE)) throw bad(param, `"${v}" is out of range`);
    return now + minutes * MINUTE;
  }
  const t = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) throw bad(param, `"${v}" is not an ISO 8601 time or a relative number of minutes (e.g. -1440)`);
  return t;
}

const iso = (t: number): string => new Date(t).toISOString();

function shape(p: AnalyticsTotals, since: number, until: number): Record<string, unknown> {
  const threatsAll = Object.values(p.threats).reduce((a, b) => a + b, 0);
  return {
    since: iso(since), until: iso(until),
    requests: { all: p.requests, cached: p.cachedRequests, uncached: p.requests - p.cachedRequests, http_status: { ...p.status } },
    bandwidth: { all: p.bytes, cached: p.cachedBytes, uncached: p.bytes - p.cachedBytes },
    threats: { all: threatsAll, type: { ...p.threats } },
    pageviews: { all: p.pageviews },
    uniques: { all: p.uniques },
  };
}

function top(list: readonly AnalyticsTopEntry[], numeric = false): Array<{ value: string | number; requests: number; error: number }> {
  return list.map((e) => ({ value: numeric ? Number(e.key) : e.key, requests: e.count, error: e.error }));
}

/** The API's answer from a store series. */
export function dashboardResult(s: AnalyticsSeries): Record<string, unknown> {
  return {
    query: { since: iso(s.since), until: iso(s.until), time_delta: s.resolution === 'minute' ? 1 : 60, resolution: s.resolution },
    totals: shape(s.totals, s.since, s.until),
    timeseries: s.points.map((p: AnalyticsPoint) => shape(p, p.since, p.until)),
    top: {
      ips: top(s.top.ips), paths: top(s.top.paths), countries: top(s.top.countries), asns: top(s.top.asns, true), user_agents: top(s.top.userAgents),
    },
  };
}

export interface AnalyticsRouteOptions {
  /** The clock (ms), for relative times and the default range. */
  readonly now?: () => number;
}

export function registerAnalyticsRoutes(r: Router, zones: ZoneService, store: AnalyticsStore, opts: AnalyticsRouteOptions = {}): void {
  const clock = opts.now ?? Date.now;
  r.add({
    method: 'GET', path: '/client/v4/zones/:id/analytics/dashboard', auth: 'token', permission: 'analytics:read',
    summary: 'Traffic analytics: totals, time series (minutes up to 24 h, else hours) and top IPs, paths, countries, ASNs, user agents (?since=&until=: ISO 8601 or minutes like -1440; ?top=)',
    handler: async (q) => {
      const zone = await zones.get(q.params['id']!);
      const now = clock();
      const qs = q.query;
      let since = parseAnalyticsTime('since', qs.get('since'), now, now - DAY);
      const until = parseAnalyticsTime('until', qs.get('until'), now, now);
      if (since >= until) throw bad('since', `${iso(since)} is not before until (${iso(until)})`);
      if (until - since > MAX_RANGE_MS) throw bad('since', `the range is longer than ${MAX_RANGE_MS / DAY} days`);
      const topRaw = qs.get('top');
      let topN = 10;
      if (topRaw !== null) {
        topN = Number(topRaw);
        if (!Number.isInteger(topN) || topN < 1 || topN > 100) throw bad('top', `"${topRaw}" is not an integer from 1 to 100`);
      }
      const resolution = until - since <= DAY ? 'minute' : 'hour';
      since -= since % (resolution === 'minute' ? MINUTE : HOUR);
      const series = await store.query({ zoneId: zone.id, since, until, resolution, top: topN });
      return { kind: 'json', result: dashboardResult(series) };
    },
  });
}
