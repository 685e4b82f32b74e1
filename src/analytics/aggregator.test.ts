import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../lib/clock.ts';
import { MemoryAnalyticsStore } from '../state/memory/memory-analytics-store.ts';
import type { AnalyticsDelta, AnalyticsStore } from '../state/ports.ts';
import { AnalyticsAggregator } from './aggregator.ts';
import type { FlushTimers } from './aggregator.ts';
import { HOUR_MS, MINUTE_MS } from './rows.ts';
import type { AnalyticsSample } from './sample.ts';

const T0 = Date.UTC(2026, 0, 10, 12);

function sample(clock: ManualClock, over: Partial<AnalyticsSample> = {}): AnalyticsSample {
  return {
    zoneId: 'z1', time: clock.now(), status: 200, bytesOut: 10, cached: false, pageview: false, threat: null, clientIp: '192.0.2.1',
    path: '/', country: null, asn: null, userAgent: 'ua', ...over,
  };
}

/** A store that records every add and can be told to fail. */
class SpyStore implements Pick<AnalyticsStore, 'add'> {
  readonly calls: AnalyticsDelta[][] = [];
  fail = false;
  readonly inner = new MemoryAnalyticsStore();
  async add(rows: readonly AnalyticsDelta[]): Promise<void> {
    this.calls.push([...rows]);
    if (this.fail) throw new Error('store down');
    await this.inner.add(rows);
  }
}

class FakeTimers implements FlushTimers {
  fn: (() => void) | undefined;
  ms = 0;
  cleared = false;
  setInterval(fn: () => void, ms: number): unknown { this.fn = fn; this.ms = ms; return 1; }
  clearInterval(): void { this.cleared = true; }
}

const total = async (store: MemoryAnalyticsStore, zoneId = 'z1') => (await store.query({ zoneId, since: T0 - HOUR_MS, until: T0 + HOUR_MS })).totals;

describe('AnalyticsAggregator', () => {
  it('aggregates in memory and writes nothing until a flush; one add per flush with one row per zone and minute', async () => {
    const clock = new ManualClock(T0);
    const store = new SpyStore();
    const agg = new AnalyticsAggregator({ store, flushIntervalMs: 0 });
    for (let i = 0; i < 1000; i++) agg.record(sample(clock, { clientIp: `10.0.${i >> 8}.${i & 255}` }));
    agg.record(sample(clock, { zoneId: 'z2' }));
    clock.advance(MINUTE_MS);
    agg.record(sample(clock, { status: 503 }));
    agg.record(undefined);
    assert.equal(store.calls.length, 0);
    await agg.flush();
    assert.equal(store.calls.length, 1);
    assert.deepEqual(store.calls[0]!.map((d) => [d.zoneId, d.bucket, d.requests]).sort(), [['z1', T0, 1000], ['z1', T0 + MINUTE_MS, 1], ['z2', T0, 1]]);
    const t = await total(store.inner);
    assert.equal(t.requests, 1001);
    assert.equal(t.status['5xx'], 1);
    assert.ok(Math.abs(t.uniques - 1001) <= 50, `uniques ${t.uniques}`);
    await agg.flush();
    assert.equal(store.calls.length, 1, 'nothing new: no write');
  });

  it('flushes the current minute as a delta and keeps counting it afterwards', async () => {
    const clock = new ManualClock(T0 + 1000);
    const store = new SpyStore();
    const agg = new AnalyticsAggregator({ store, flushIntervalMs: 0 });
    agg.record(sample(clock, { path: '/a' }));
    await agg.flush();
    clock.advance(1000);
    agg.record(sample(clock, { path: '/a' }));
    agg.record(sample(clock, { path: '/b' }));
    await agg.flush();
    const s = await store.inner.query({ zoneId: 'z1', since: T0, until: T0 + MINUTE_MS });
    assert.equal(s.points.length, 1);
    assert.equal(s.totals.requests, 3);
    assert.deepEqual(s.top.paths, [{ key: '/a', count: 2, error: 0 }, { key: '/b', count: 1, error: 0 }]);
  });

  it('counts a request logged just after the minute turned into its own minute', async () => {
    const clock = new ManualClock(T0 + MINUTE_MS - 1);
    const store = new SpyStore();
    const agg = new AnalyticsAggregator({ store, flushIntervalMs: 0 });
    const late = sample(clock);
    clock.advance(2);
    agg.record(sample(clock));
    agg.record(late);
    agg.record(late);
    await agg.flush();
    assert.deepEqual(store.calls[0]!.map((d) => [d.bucket, d.requests]).sort(), [[T0, 2], [T0 + MINUTE_MS, 1]]);
  });

  it('keeps the deltas when the store fails, merged, and writes them with the next flush', async () => {
    const clock = new ManualClock(T0);
    const store = new SpyStore();
    const errors: unknown[] = [];
    const agg = new AnalyticsAggregator({ store, flushIntervalMs: 0, onError: (e) => errors.push(e) });
    store.fail = true;
    agg.record(sample(clock));
    await agg.flush();
    agg.record(sample(clock, { threat: 'waf' }));
    await agg.flush();
    assert.equal(errors.length, 2);
    assert.equal(agg.stats.pendingRows, 1, 'two failed flushes of one minute are one pending row');
    assert.equal(agg.stats.failures, 2);
    store.fail = false;
    clock.advance(MINUTE_MS);
    agg.record(sample(clock));
    await agg.flush();
    assert.equal(store.calls.at(-1)!.length, 2);
    const t = await total(store.inner);
    assert.equal(t.requests, 3);
    assert.deepEqual(t.threats, { waf: 1 });
    assert.deepEqual(agg.stats, { pendingRows: 0, droppedRows: 0, droppedRequests: 0, flushes: 1, failures: 2 });
  });

  it('drops the oldest pending rows beyond the cap and counts them', async () => {
    const clock = new ManualClock(T0);
    const store = new SpyStore();
    store.fail = true;
    const agg = new AnalyticsAggregator({ store, flushIntervalMs: 0, maxPendingRows: 3 });
    for (let m = 0; m < 5; m++) {
      for (let i = 0; i <= m; i++) agg.record(sample(clock));
      clock.advance(MINUTE_MS);
      await agg.flush();
    }
    assert.equal(agg.stats.pendingRows, 3);
    assert.equal(agg.stats.droppedRows, 2);
    assert.equal(agg.stats.droppedRequests, 1 + 2);
    store.fail = false;
    await agg.flush();
    assert.deepEqual(store.calls.at(-1)!.map((d) => d.bucket).sort(), [T0 + 2 * MINUTE_MS, T0 + 3 * MINUTE_MS, T0 + 4 * MINUTE_MS]);
    assert.equal((await total(store.inner)).requests, 3 + 4 + 5);
  });

  it('flushes on its timer (every 5 s by default) and at close, then ignores samples', async () => {
    const clock = new ManualClock(T0);
    const store = new SpyStore();
    const timers = new FakeTimers();
    const agg = new AnalyticsAggregator({ store, timers });
    assert.equal(timers.ms, 5000);
    agg.record(sample(clock));
    timers.fn!();
    await agg.flush(); // waits for the timer's flush
    assert.equal(store.calls.length, 1);
    agg.record(sample(clock));
    await agg.close();
    assert.ok(timers.cleared);
    assert.equal(store.calls.length, 2);
    agg.record(sample(clock));
    await agg.flush();
    assert.equal(store.calls.length, 2);
    assert.equal((await total(store.inner)).requests, 2);
  });

  it('serialises concurrent flushes (no row written twice)', async () => {
    const clock = new ManualClock(T0);
    const store = new SpyStore();
    const agg = new AnalyticsAggregator({ store, flushIntervalMs: 0 });
    agg.record(sample(clock));
    const a = agg.flush();
    agg.record(sample(clock));
    const b = agg.flush();
    await Promise.all([a, b]);
    assert.equal((await total(store.inner)).requests, 2);
  });

  it('a real timer is unref\'d and stopped by close', async () => {
    const agg = new AnalyticsAggregator({ store: new SpyStore(), flushIntervalMs: 10 });
    await agg.close();
    assert.throws(() => new AnalyticsAggregator({ store: new SpyStore(), maxPendingRows: 0 }), RangeError);
  });
});
