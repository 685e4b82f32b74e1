/**
 * Contract suite for AnalyticsStore. Every adapter's test calls `analyticsStoreContract(name, make)`; `make`
 * returns a fresh, empty store and a `peer`: a second writer on the same backend (another connection to the same
 * file or database; the same instance for the memory adapter). Time is passed explicitly (`rollup(now)`), so no
 * clock is needed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deltaFromSamples } from '../../analytics/bucket.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../analytics/rows.ts';
import type { AnalyticsSample, ThreatKind } from '../../analytics/sample.ts';
import type { AnalyticsDelta, AnalyticsStore } from '../ports.ts';

export interface AnalyticsStoreFixture {
  store: AnalyticsStore;
  /** A second writer on the same backend (may be `store` itself for in-process adapters). */
  peer: AnalyticsStore;
  close(): Promise<void>;
}

/** Midnight UTC: a day, hour and minute boundary. */
const T0 = Date.UTC(2026, 0, 10);

function sample(over: Partial<AnalyticsSample> & { time: number }): AnalyticsSample {
  return {
    zoneId: 'z1', status: 200, bytesOut: 100, cached: false, pageview: false, threat: null, clientIp: '192.0.2.1', path: '/',
    country: 'FR', asn: 64500, userAgent: 'ua', ...over,
  };
}

function minute(t: number, samples: Array<Partial<AnalyticsSample>>, zoneId = 'z1'): AnalyticsDelta {
  const m = t - (t % MINUTE_MS);
  return deltaFromSamples(zoneId, m, samples.map((s) => sample({ time: m, zoneId, ...s })));
}

function repeat<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

export function analyticsStoreContract(name: string, make: () => Promise<AnalyticsStoreFixture>): void {
  const withStore = (fn: (f: AnalyticsStoreFixture) => Promise<void>) => async () => {
    const f = await make();
    try { await fn(f); } finally { await f.close(); }
  };

  describe(`AnalyticsStore contract: ${name}`, () => {
    it('adds and answers counters, status classes, threats, cache and page views', withStore(async ({ store }) => {
      await store.add([minute(T0, [
        { status: 200, bytesOut: 1000, cached: true, pageview: true },
        { status: 304, bytesOut: 0, cached: true },
        { status: 403, bytesOut: 50, threat: 'waf' },
        { status: 429, bytesOut: 20, threat: 'ratelimit' },
        { status: 503, bytesOut: 10 },
        { status: 101, bytesOut: 0 },
      ])]);
      const s = await store.query({ zoneId: 'z1', since: T0, until: T0 + HOUR_MS });
      assert.equal(s.resolution, 'minute');
      assert.deepEqual(s.totals.status, { '1xx': 1, '2xx': 1, '3xx': 1, '4xx': 2, '5xx': 1 });
      assert.equal(s.totals.requests, 6);
      assert.equal(s.totals.bytes, 1080);
      assert.equal(s.totals.cachedRequests, 2);
      assert.equal(s.totals.cachedBytes, 1000);
      assert.equal(s.totals.pageviews, 1);
      assert.deepEqual(s.totals.threats, { waf: 1, ratelimit: 1 });
      assert.equal(s.totals.uniques, 1);
      assert.equal(s.points.length, 1);
      assert.equal(s.points[0]!.since, T0);
      assert.equal(s.points[0]!.until, T0 + MINUTE_MS);
      assert.deepEqual(JSON.parse(JSON.stringify(s)), s, 'the series is plain JSON');
    }));

    it('merges deltas of the same minute from two writers', withStore(async ({ store, peer }) => {
      const a = minute(T0, [{ clientIp: '10.0.0.1', path: '/a', threat: 'firewall' }, { clientIp: '10.0.0.2', path: '/a' }]);
      const b = minute(T0 + 5000, [{ clientIp: '10.0.0.2', path: '/b', threat: 'firewall' }, { clientIp: '10.0.0.3', path: '/a', threat: 'access' }]);
      await Promise.all([store.add([a]), peer.add([b]), store.add([a])]);
      const s = await store.query({ zoneId: 'z1', since: T0, until: T0 + MINUTE_MS });
      assert.equal(s.points.length, 1);
      assert.equal(s.totals.requests, 6);
      assert.deepEqual(s.totals.threats, { firewall: 3, access: 1 });
      assert.equal(s.totals.uniques, 3, 'the same IPs from both writers are counted once');
      assert.deepEqual(s.top.paths, [{ key: '/a', count: 5, error: 0 }, { key: '/b', count: 1, error: 0 }]);
      assert.deepEqual(s.top.ips.map((e) => [e.key, e.count]), [['10.0.0.2', 3], ['10.0.0.1', 2], ['10.0.0.3', 1]]);
      assert.deepEqual((await peer.query({ zoneId: 'z1', since: T0, until: T0 + MINUTE_MS })).totals, s.totals, 'both writers read the same');
    }));

    it('counts rows whose bucket lies in [since, until), for the zone asked only', withStore(async ({ store }) => {
      await store.add([
        minute(T0 - MINUTE_MS, [{}]), minute(T0, [{}, {}]), minute(T0 + 9 * MINUTE_MS, [{}, {}, {}]), minute(T0 + 10 * MINUTE_MS, [{}]),
        minute(T0, repeat(7, () => ({})), 'z2'),
      ]);
      const s = await store.query({ zoneId: 'z1', since: T0, until: T0 + 10 * MINUTE_MS });
      assert.equal(s.totals.requests, 5);
      assert.deepEqual(s.points.map((p) => [p.since, p.requests]), [[T0, 2], [T0 + 9 * MINUTE_MS, 3]]);
      assert.equal((await store.query({ zoneId: 'z2', since: T0, until: T0 + 1 })).totals.requests, 7);
      const none = await store.query({ zoneId: 'nobody', since: T0, until: T0 + DAY_MS });
      assert.equal(none.totals.requests, 0);
      assert.equal(none.totals.uniques, 0);
      assert.deepEqual(none.points, []);
      assert.deepEqual(none.top.ips, []);
    }));

    it('rejects a malformed delta, writing nothing of the batch', withStore(async ({ store }) => {
      const good = minute(T0, [{}]);
      await assert.rejects(store.add([good, { ...good, bucket: T0 + 1 }]), (e: Error) => e instanceof RangeError && /rows\[1\]\.bucket/.test(e.message));
      await assert.rejects(store.add([{ ...good, requests: -1 }]), RangeError);
      await assert.rejects(store.add([{ ...good, uniques: 'zzz' }]), RangeError);
      await assert.rejects(store.add([{ ...good, threats: JSON.parse('{"__proto__": 1}') as Record<string, number> }]), RangeError);
      await assert.rejects(store.add([{ ...minute(T0 + MINUTE_MS, [{}]), resolution: 'hour' }]), RangeError, 'a minute bucket is not an hour boundary');
      await assert.rejects(store.add([{ ...good, top: { ...good.top, ips: { floor: 0, items: [['x', 1, 2]] } } }]), RangeError);
      assert.equal((await store.query({ zoneId: 'z1', since: T0 - DAY_MS, until: T0 + DAY_MS })).totals.requests, 0);
      await store.add([]);
    }));

    it('rolls minute rows of hours ended 24 h ago into hourly rows whose totals equal the sum of the minutes', withStore(async ({ store, peer }) => {
      const threats: ThreatKind[] = ['waf', 'challenge', 'mitigation'];
      const deltas: AnalyticsDelta[] = [];
      for (let m = 0; m < 120; m += 7) {
        deltas.push(minute(T0 + m * MINUTE_MS, repeat(1 + (m % 5), (i) => ({
          clientIp: `10.1.${m}.${i}`, path: `/p${i}`, status: 200 + 100 * (i % 4), bytesOut: 10 * m + i, cached: i % 2 === 0,
          threat: i === 0 ? threats[m % 3]! : null, country: i % 2 ? 'DE' : null, asn: i % 3 ? 64500 + i : null,
        }))));
      }
      await store.add(deltas.slice(0, 9));
      await peer.add(deltas.slice(9));
      const before = await store.query({ zoneId: 'z1', since: T0, until: T0 + 2 * HOUR_MS });
      // now = T0 + 25 h + 30 min: the hour [T0, T0+1h) ended more than 24 h ago, [T0+1h, T0+2h) did not quite
      const now = T0 + 25 * HOUR_MS + 30 * MINUTE_MS;
      const firstHour = deltas.filter((d) => d.bucket < T0 + HOUR_MS).length;
      assert.equal(await store.rollup(now), firstHour);
      assert.equal(await store.rollup(now), 0, 'a second rollup finds nothing');
      const after = await store.query({ zoneId: 'z1', since: T0, until: T0 + 2 * HOUR_MS });
      assert.deepEqual(after.totals, before.totals, 'rolling up changes no total (uniques included)');
      assert.deepEqual(after.top, before.top);
      const hourPoint = after.points[0]!;
      assert.deepEqual([hourPoint.since, hourPoint.until], [T0, T0 + HOUR_MS]);
      const sum = (f: (p: typeof hourPoint) => number) => before.points.filter((p) => p.since < T0 + HOUR_MS).reduce((a, p) => a + f(p), 0);
      assert.equal(hourPoint.requests, sum((p) => p.requests));
      assert.equal(hourPoint.bytes, sum((p) => p.bytes));
      assert.equal(hourPoint.cachedBytes, sum((p) => p.cachedBytes));
      assert.equal(hourPoint.status['3xx'], sum((p) => p.status['3xx']));
      assert.equal(hourPoint.threats['mitigation'], sum((p) => p.threats['mitigation'] ?? 0));
      assert.ok(after.points.slice(1).every((p) => p.until - p.since === MINUTE_MS && p.since >= T0 + HOUR_MS), 'the second hour stays in minutes');
      // one hour later the second hour rolls too; a late minute delta for the first hour is merged by the next rollup
      await store.add([minute(T0 + 3 * MINUTE_MS, [{ clientIp: '203.0.113.9' }])]);
      assert.equal(await store.rollup(now + HOUR_MS), deltas.length - firstHour + 1);
      const hourly = await store.query({ zoneId: 'z1', since: T0, until: T0 + 2 * HOUR_MS, resolution: 'hour' });
      assert.deepEqual(hourly.points.map((p) => [p.since, p.until - p.since]), [[T0, HOUR_MS], [T0 + HOUR_MS, HOUR_MS]]);
      assert.equal(hourly.totals.requests, before.totals.requests + 1);
      assert.equal(hourly.totals.uniques, before.totals.uniques + 1);
    }));

    it('many small flushes of one minute answer the same before and after rollup (which may compact them)', withStore(async ({ store, peer }) => {
      for (let f = 0; f < 24; f++) {
        await (f % 2 ? peer : store).add([minute(T0 + f * 2500, repeat(3, (i) => ({ clientIp: `10.9.${f}.${i}`, path: `/f${f % 4}`, status: 200 + 100 * (f % 4) })))]);
      }
      const q = { zoneId: 'z1', since: T0, until: T0 + HOUR_MS };
      const before = await store.query(q);
      assert.equal(before.points.length, 1);
      assert.equal(before.totals.requests, 72);
      assert.equal(await store.rollup(T0 + HOUR_MS), 0, 'nothing old enough to roll');
      assert.deepEqual(await store.query(q), before);
      assert.deepEqual(await peer.query(q), before);
    }));

    it('answers at hour resolution by folding minute rows into hours', withStore(async ({ store }) => {
      await store.add([minute(T0 + 5 * MINUTE_MS, [{}, {}]), minute(T0 + 59 * MINUTE_MS, [{}]), minute(T0 + 61 * MINUTE_MS, [{ clientIp: '192.0.2.2' }])]);
      const s = await store.query({ zoneId: 'z1', since: T0, until: T0 + 3 * HOUR_MS, resolution: 'hour' });
      assert.equal(s.resolution, 'hour');
      assert.deepEqual(s.points.map((p) => [p.since, p.until, p.requests, p.uniques]), [[T0, T0 + HOUR_MS, 3, 1], [T0 + HOUR_MS, T0 + 2 * HOUR_MS, 1, 1]]);
      assert.equal(s.totals.uniques, 2);
    }));

    it('prunes hourly rows older than 90 days, keeping the boundary', withStore(async ({ store }) => {
      await store.add([minute(T0, [{}]), minute(T0 + HOUR_MS, [{}, {}])]);
      await store.rollup(T0 + 3 * DAY_MS);
      const at = T0 + HOUR_MS + 90 * DAY_MS; // the second hour is exactly 90 days old: kept; the first is older: pruned
      assert.equal(await store.prune(at), 1);
      assert.equal(await store.prune(at), 0);
      const s = await store.query({ zoneId: 'z1', since: 0, until: at });
      assert.equal(s.totals.requests, 2);
      assert.equal(await store.prune(at + 1), 1);
      assert.equal((await store.query({ zoneId: 'z1', since: 0, until: at + 1 })).totals.requests, 0);
    }));

    it('prune leaves minute rows alone (they are rolled first)', withStore(async ({ store }) => {
      await store.add([minute(T0, [{}])]);
      assert.equal(await store.prune(T0 + 100 * DAY_MS), 0);
      assert.equal((await store.query({ zoneId: 'z1', since: T0, until: T0 + 1 })).totals.requests, 1);
    }));

    it('merges top-K sketches across writers and minutes, with counts as upper bounds', withStore(async ({ store, peer }) => {
      // 300 distinct paths per minute over 3 minutes from two writers (more than K=100 each), plus 5 heavy paths
      for (let m = 0; m < 3; m++) {
        const light = repeat(300, (i) => ({ path: `/light/${m}/${i}` }));
        const heavy = repeat(5, (h) => repeat(50 + 10 * h, () => ({ path: `/heavy/${h}` }))).flat();
        await (m % 2 ? peer : store).add([minute(T0 + m * MINUTE_MS, [...light, ...heavy])]);
      }
      const s = await store.query({ zoneId: 'z1', since: T0, until: T0 + HOUR_MS, top: 5 });
      assert.deepEqual(s.top.paths.map((e) => e.key), ['/heavy/4', '/heavy/3', '/heavy/2', '/heavy/1', '/heavy/0']);
      for (const e of s.top.paths) {
        const truth = 3 * (50 + 10 * Number(e.key.slice(-1)));
        assert.ok(e.count >= truth && e.count - e.error <= truth, `${e.key}: [${e.count - e.error}, ${e.count}] must hold ${truth}`);
      }
      assert.equal(s.totals.requests, 3 * (300 + 5 * 50 + 100));
      assert.equal((await store.query({ zoneId: 'z1', since: T0, until: T0 + HOUR_MS, top: 1000 })).top.paths.length, 100, 'at most 100 per list');
    }));

    it('estimates 10,000 distinct visitors within 5 % (HyperLogLog, standard error 1.6 %)', withStore(async ({ store, peer }) => {
      // 10 minutes × 1,500 IPs drawn from 10,000 with overlap between minutes and writers
      const batches: AnalyticsDelta[] = [];
      for (let m = 0; m < 10; m++) {
        batches.push(minute(T0 + m * MINUTE_MS, repeat(1500, (i) => {
          const n = (m * 1000 + i) % 10_000;
          return { clientIp: `10.${n >> 8}.${n & 255}.${(n * 7) & 255}`, asn: null };
        })));
      }
      await store.add(batches.slice(0, 5));
      await peer.add(batches.slice(5));
      const s = await store.query({ zoneId: 'z1', since: T0, until: T0 + HOUR_MS });
      assert.ok(Math.abs(s.totals.uniques - 10_000) <= 500, `estimate ${s.totals.uniques}`);
      assert.ok(s.points.every((p) => Math.abs(p.uniques - 1500) <= 75), `per-minute estimates ${s.points.map((p) => p.uniques).join(', ')}`);
    }));
  });
}
