import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MinuteBucket } from './bucket.ts';
import { HyperLogLog } from './hll.ts';
import type { AnalyticsSample } from './sample.ts';

const sample = (ip: string, over: Partial<AnalyticsSample> = {}): AnalyticsSample => ({
  zoneId: 'z', time: 0, status: 200, bytesOut: 5, cached: false, pageview: false, threat: null, clientIp: ip, path: '/', country: null, asn: null, userAgent: 'ua', ...over,
});

describe('MinuteBucket', () => {
  for (const n of [0, 1, 255, 256, 257, 3000]) {
    it(`unique visitors of ${n} requests equal a plain HyperLogLog's, small or not`, () => {
      const b = new MinuteBucket('z', 0, 100);
      const ref = new HyperLogLog();
      for (let i = 0; i < n; i++) { const ip = `10.0.${(i >> 8) & 255}.${i & 255}`; b.add(sample(ip)); ref.add(ip); }
      assert.equal(b.toDelta().uniques, ref.encode());
      assert.equal(b.toDelta().requests, n);
    });
  }

  it('counts status classes, cache, page views, threats, and the top lists', () => {
    const b = new MinuteBucket('z', 60_000, 100);
    b.add(sample('a', { status: 200, cached: true, pageview: true, country: 'FR', asn: 1 }));
    b.add(sample('a', { status: 404, threat: 'firewall', path: '/x', bytesOut: -1 }));
    b.add(sample('b', { status: 99 }));
    const d = b.toDelta();
    assert.deepEqual([d.requests, d.bytes, d.cachedRequests, d.cachedBytes, d.pageviews], [3, 10, 1, 5, 1]);
    assert.deepEqual(d.status, { '1xx': 0, '2xx': 1, '3xx': 0, '4xx': 1, '5xx': 0 }, 'a status outside 1xx-5xx counts as a request only');
    assert.deepEqual(d.threats, { firewall: 1 });
    assert.deepEqual(d.top.countries.items, [['XX', 2, 0], ['FR', 1, 0]]);
    assert.deepEqual(d.top.asns.items, [['1', 1, 0]]);
    assert.deepEqual(d.top.ips.items, [['a', 2, 0], ['b', 1, 0]]);
    assert.equal(d.bucket, 60_000);
    assert.equal(d.resolution, 'minute');
  });
});
