import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deltaFromSamples } from '../../../analytics/bucket.ts';
import type { AnalyticsSample } from '../../../analytics/sample.ts';
import { MemoryAnalyticsStore } from '../../../state/memory/memory-analytics-store.ts';
import { SqliteConfigStore } from '../../../state/sqlite/config-store.ts';
import { createLogger } from '../../../telemetry/logger.ts';
import { ZoneService } from '../../services/zones.ts';
import { Router } from '../router.ts';
import type { Permission, TokenScope } from '../router.ts';
import { AdminServer } from '../server.ts';
import { parseAnalyticsTime, registerAnalyticsRoutes } from './analytics.ts';

const NOW = Date.UTC(2026, 0, 10, 12, 30, 15);
const MIN = 60_000;
const HOUR = 3_600_000;
const ADMIN = 'admin-token-0123456789abcdef';

interface Envelope { success: boolean; errors: Array<{ code: number; message: string }>; result: Record<string, unknown> & { totals: Totals; timeseries: Totals[]; top: Record<string, Array<{ value: string | number; requests: number; error: number }>>; query: Record<string, unknown> } }
interface Totals { since: string; until: string; requests: { all: number; cached: number; uncached: number; http_status: Record<string, number> }; bandwidth: { all: number; cached: number; uncached: number }; threats: { all: number; type: Record<string, number> }; pageviews: { all: number }; uniques: { all: number } }

function s(zoneId: string, time: number, over: Partial<AnalyticsSample> = {}): AnalyticsSample {
  return { zoneId, time, status: 200, bytesOut: 100, cached: false, pageview: false, threat: null, clientIp: '192.0.2.1', path: '/', country: 'FR', asn: 3215, userAgent: 'curl/8', ...over };
}

describe('GET /client/v4/zones/:id/analytics/dashboard', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-analytics-api-'));
  const config = new SqliteConfigStore(join(dir, 'config.db'));
  const zones = new ZoneService(config, async () => {});
  const store = new MemoryAnalyticsStore();
  const router = new Router();
  registerAnalyticsRoutes(router, zones, store, { now: () => NOW });
  const scopes = new Map<string, TokenScope>();
  const admin = new AdminServer({
    token: ADMIN, logger: createLogger({ level: 'silent' }), router,
    verifyToken: async (secret) => scopes.get(secret),
    zoneOf: async (ref) => { try { const z = await zones.get(ref); return { id: z.id, account: z.account }; } catch { return undefined; } },
  });
  let base = '';
  let zoneA = '';
  let zoneB = '';

  const scope = (id: string, permissions: Permission[], zoneIds: string[]): TokenScope => ({ id, account: 'default', permissions: new Set(permissions), zones: new Set(zoneIds), expiresOn: null });

  before(async () => {
    zoneA = (await zones.create({ name: 'a.example' })).id;
    zoneB = (await zones.create({ name: 'b.example' })).id;
    scopes.set('tok-a', scope('t1', ['analytics:read'], [zoneA]));
    scopes.set('tok-a-edit', scope('t2', ['zone:edit', 'firewall:edit'], [zoneA]));
    const m = (t: number) => t - (t % MIN);
    await store.add([
      deltaFromSamples(zoneA, m(NOW - 5 * MIN), [
        s(zoneA, NOW - 5 * MIN, { cached: true, bytesOut: 1000, pageview: true }),
        s(zoneA, NOW - 5 * MIN, { status: 403, threat: 'waf', clientIp: '198.51.100.9', path: '/wp-login.php', bytesOut: 10 }),
        s(zoneA, NOW - 5 * MIN, { status: 503, clientIp: '198.51.100.9', country: null, asn: null }),
      ]),
      deltaFromSamples(zoneA, m(NOW - MIN), [s(zoneA, NOW - MIN, { status: 429, threat: 'ratelimit' })]),
      // two days ago: outside the default range
      deltaFromSamples(zoneA, m(NOW - 48 * HOUR), [s(zoneA, NOW - 48 * HOUR, { clientIp: '203.0.113.1' })]),
      deltaFromSamples(zoneB, m(NOW - MIN), [s(zoneB, NOW - MIN)]),
    ]);
    base = `http://127.0.0.1:${await admin.listen('127.0.0.1', 0)}`;
  });
  after(async () => { await admin.close(); await config.close(); rmSync(dir, { recursive: true, force: true }); });

  const get = async (path: string, token: string | null = ADMIN): Promise<{ status: number; body: Envelope }> => {
    const res = await fetch(base + path, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json() as Envelope };
  };

  it('answers the last 24 h by minute, Cloudflare-shaped', async () => {
    const { status, body } = await get(`/client/v4/zones/${zoneA}/analytics/dashboard`);
    assert.equal(status, 200);
    assert.equal(body.success, true);
    const r = body.result;
    assert.deepEqual(r.query, { since: new Date(NOW - 24 * HOUR - 15_000).toISOString(), until: new Date(NOW).toISOString(), time_delta: 1, resolution: 'minute' });
    assert.deepEqual(r.totals.requests, { all: 4, cached: 1, uncached: 3, http_status: { '1xx': 0, '2xx': 1, '3xx': 0, '4xx': 2, '5xx': 1 } });
    assert.deepEqual(r.totals.bandwidth, { all: 1210, cached: 1000, uncached: 210 });
    assert.deepEqual(r.totals.threats, { all: 2, type: { waf: 1, ratelimit: 1 } });
    assert.deepEqual(r.totals.pageviews, { all: 1 });
    assert.deepEqual(r.totals.uniques, { all: 2 });
    assert.deepEqual(r.timeseries.map((p) => [p.since, p.until, p.requests.all]), [
      [new Date(NOW - 5 * MIN - 15_000).toISOString(), new Date(NOW - 4 * MIN - 15_000).toISOString(), 3],
      [new Date(NOW - MIN - 15_000).toISOString(), new Date(NOW - 15_000).toISOString(), 1],
    ]);
    assert.deepEqual(r.top['ips'], [{ value: '192.0.2.1', requests: 2, error: 0 }, { value: '198.51.100.9', requests: 2, error: 0 }]);
    assert.deepEqual(r.top['countries'], [{ value: 'FR', requests: 3, error: 0 }, { value: 'XX', requests: 1, error: 0 }]);
    assert.deepEqual(r.top['asns'], [{ value: 3215, requests: 3, error: 0 }]);
    assert.deepEqual(r.top['paths']![0], { value: '/', requests: 3, error: 0 });
    assert.deepEqual(r.top['user_agents'], [{ value: 'curl/8', requests: 4, error: 0 }]);
  });

  it('takes ISO 8601 and relative minutes; longer ranges come in hours', async () => {
    const rel = await get(`/client/v4/zones/${zoneA}/analytics/dashboard?since=-10&until=-3`);
    assert.equal(rel.status, 200);
    assert.equal(rel.body.result.totals.requests.all, 3);
    const week = await get(`/client/v4/zones/${zoneA}/analytics/dashboard?since=${new Date(NOW - 7 * 24 * HOUR).toISOString()}&until=${new Date(NOW).toISOString()}&top=1`);
    assert.equal(week.status, 200);
    assert.equal(week.body.result.query['resolution'], 'hour');
    assert.equal(week.body.result.query['time_delta'], 60);
    assert.equal(week.body.result.totals.requests.all, 5);
    assert.deepEqual(week.body.result.timeseries.map((p) => p.requests.all), [1, 4]);
    assert.ok(week.body.result.timeseries.every((p) => Date.parse(p.until) - Date.parse(p.since) === HOUR));
    assert.equal(week.body.result.top['ips']!.length, 1);
    const byName = await get('/client/v4/zones/b.example/analytics/dashboard');
    assert.equal(byName.body.result.totals.requests.all, 1, 'the other zone sees its own traffic only');
  });

  it('names the bad parameter', async () => {
    for (const [qs, param] of [['since=yesterday', 'since'], ['until=2026-13-45', 'until'], ['since=60', 'since'], ['since=-10&until=-20', 'since'], ['since=2020-01-01', 'since'], ['top=0', 'top']] as const) {
      const { status, body } = await get(`/client/v4/zones/${zoneA}/analytics/dashboard?${qs}`);
      assert.equal(status, 400, qs);
      assert.equal(body.success, false);
      assert.match(body.errors[0]!.message, new RegExp(`^query\\.${param}: `), qs);
    }
  });

  it('refuses a missing or wrong token, a token without analytics:read, and a zone outside the token', async () => {
    const path = (z: string) => `/client/v4/zones/${z}/analytics/dashboard`;
    assert.equal((await get(path(zoneA), null)).status, 401);
    assert.equal((await get(path(zoneA), 'not-a-token')).status, 403);
    const noPerm = await get(path(zoneA), 'tok-a-edit');
    assert.equal(noPerm.status, 403);
    assert.match(noPerm.body.errors[0]!.message, /analytics:read/);
    const otherZone = await get(path(zoneB), 'tok-a');
    assert.equal(otherZone.status, 403);
    assert.match(otherZone.body.errors[0]!.message, /does not cover that zone/);
    const ok = await get(path(zoneA), 'tok-a');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.result.totals.requests.all, 4);
    assert.equal((await get(path('nope.example'))).status, 404);
  });
});

describe('parseAnalyticsTime', () => {
  it('reads ISO 8601 and relative minutes, with the default when absent', () => {
    assert.equal(parseAnalyticsTime('since', null, NOW, 7), 7);
    assert.equal(parseAnalyticsTime('since', '-1440', NOW, 0), NOW - 1440 * MIN);
    assert.equal(parseAnalyticsTime('until', '0', NOW, 0), NOW);
    assert.equal(parseAnalyticsTime('since', '2026-01-10T00:00:00Z', NOW, 0), Date.UTC(2026, 0, 10));
    assert.equal(parseAnalyticsTime('since', '2026-01-10T02:00:00+02:00', NOW, 0), Date.UTC(2026, 0, 10));
    assert.throws(() => parseAnalyticsTime('since', 'Jan 10 2026', NOW, 0), /query\.since/);
  });
});
