import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../lib/clock.ts';
import { MemoryAnalyticsStore } from '../state/memory/memory-analytics-store.ts';
import type { FlushTimers } from './aggregator.ts';
import { deltaFromSamples } from './bucket.ts';
import { startAnalyticsMaintenance } from './maintenance.ts';
import { DAY_MS, HOUR_MS } from './rows.ts';

const T0 = Date.UTC(2026, 0, 10);

describe('startAnalyticsMaintenance', () => {
  it('rolls up and prunes at the injected clock\'s time, on its timer', async () => {
    const store = new MemoryAnalyticsStore();
    const s = { zoneId: 'z', time: T0, status: 200, bytesOut: 1, cached: false, pageview: false, threat: null, clientIp: '192.0.2.1', path: '/', country: null, asn: null, userAgent: '' };
    await store.add([deltaFromSamples('z', T0, [s])]);
    const clock = new ManualClock(T0 + HOUR_MS);
    let tick: (() => void) | undefined;
    let stopped = false;
    const timers: FlushTimers = { setInterval: (fn) => { tick = fn; return 1; }, clearInterval: () => { stopped = true; } };
    const m = startAnalyticsMaintenance(store, { clock, timers });
    assert.deepEqual(await m.runOnce(), { rolled: 0, pruned: 0 });
    clock.set(T0 + 2 * DAY_MS);
    assert.deepEqual(await m.runOnce(), { rolled: 1, pruned: 0 });
    clock.set(T0 + 91 * DAY_MS);
    tick!();
    const q = () => store.query({ zoneId: 'z', since: 0, until: T0 + DAY_MS });
    for (let i = 0; i < 10 && (await q()).totals.requests !== 0; i++) await new Promise((r) => setImmediate(r));
    assert.equal((await q()).totals.requests, 0);
    m.stop();
    assert.ok(stopped);
  });
});
