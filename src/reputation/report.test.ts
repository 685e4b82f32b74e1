import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../lib/clock.ts';
import { MemoryKeyValueStore } from '../state/index.ts';
import { Reputation, ReputationEventLog } from './index.ts';

const H = 60_000;
const T0 = 1_700_000_160_000 - (1_700_000_160_000 % (2 * H));

function setup(): { rep: Reputation; clock: ManualClock; kv: MemoryKeyValueStore } {
  const clock = new ManualClock(T0);
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  const rep = new Reputation({ kv, clock, halfLifeMs: H, flushIntervalMs: 0, prefixV4Bits: 24, prefixV6Bits: 48, eventLogSize: 5 });
  return { rep, clock, kv };
}

describe('Reputation report (score, prefix score, events)', () => {
  it('scores the /24 with the events of all its addresses', async () => {
    const { rep } = setup();
    await rep.record('198.51.100.7', 'waf_block');
    await rep.record('198.51.100.8', 'ratelimit');
    assert.equal(await rep.score('198.51.100.7'), 10);
    assert.equal(await rep.prefixScore('198.51.100.7'), 12);
    assert.equal(await rep.prefixScore('198.51.101.1'), 0);
    assert.equal(rep.prefixSubject('2001:db8:1:2::5'), '2001:db8:1::/48');
  });

  it('lists the recent events, newest first, per address and per prefix, bounded', async () => {
    const { rep, clock } = setup();
    for (let i = 0; i < 7; i++) { clock.advance(1000); await rep.record('203.0.113.9', i % 2 === 0 ? 'waf_block' : 'challenge_failed'); }
    await rep.record('203.0.113.10', 'h2_abuse');
    const r = await rep.report('203.0.113.9');
    assert.equal(r.subject, '203.0.113.9/32');
    assert.equal(r.prefix, '203.0.113.0/24');
    assert.equal(r.events.length, 5, 'bounded to the log size');
    assert.deepEqual(r.events.map((e) => e.kind), ['waf_block', 'challenge_failed', 'waf_block', 'challenge_failed', 'waf_block']);
    assert.equal(r.events[0]!.time, T0 + 7000);
    assert.equal(r.events[0]!.weight, 10);
    assert.equal(r.prefixEvents[0]!.kind, 'h2_abuse');
    assert.ok(r.score > 0 && r.prefixScore !== null && r.prefixScore > r.score);
  });

  it('events buffered in one flush are one entry per kind; forgive clears the log', async () => {
    const clock = new ManualClock(T0);
    const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
    const rep = new Reputation({ kv, clock, halfLifeMs: H, flushIntervalMs: 60_000, eventLogSize: 10 });
    for (let i = 0; i < 4; i++) await rep.record('192.0.2.1', 'ratelimit');
    await rep.flush();
    const r = await rep.report('192.0.2.1');
    assert.deepEqual(r.events, [{ kind: 'ratelimit', weight: 8, count: 4, time: T0 }]);
    assert.equal(r.prefix, null);
    await rep.forgive('192.0.2.1');
    assert.deepEqual((await rep.report('192.0.2.1')).events, []);
    await rep.close();
  });

  it('the log ignores a slot whose write did not land (sequence mismatch)', async () => {
    const clock = new ManualClock(T0);
    const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
    const log = new ReputationEventLog({ kv, size: 3 });
    await log.append('s', { kind: 'waf_block', weight: 1, count: 1, time: 1 });
    await kv.incr('repev:s:n', 1); // seq 2 taken, its entry never written
    assert.deepEqual((await log.recent('s')).map((e) => e.time), [1]);
  });
});
