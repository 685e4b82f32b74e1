import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../lib/clock.ts';
import { MemoryKeyValueStore } from '../../state/memory/index.ts';
import { liftRule, publishRule } from '../../mitigation/auto/index.ts';
import type { AutoRule } from '../../mitigation/auto/index.ts';
import { MitigationEvents } from './mitigation-events.ts';

test('applied, attack detected, expired and lifted rules become webhook events; rules in force at start are not replayed', async () => {
  const clock = new ManualClock(1_800_000_000_000);
  const kv = new MemoryKeyValueStore({ clock });
  const events: Array<[string, string | null, Record<string, unknown>]> = [];
  const rule = (id: string, ttlMs: number): AutoRule => ({
    id, zoneId: 'z1', signal: 'rate', signalDetail: 'rate 12x baseline', segment: { dim: 'ua', key: 'evil/1.0', share: 0.9 },
    action: 'challenge', reason: 'signal: rate; segment: ua; action: challenge', mode: 'on', createdAt: clock.now(), expiresAt: clock.now() + ttlMs,
  } as AutoRule);
  await publishRule(kv, rule('auto_old', 600_000), clock.now());
  const m = new MitigationEvents({ kv, emit: (e, d, z) => events.push([e, z, d]), zoneName: (id) => (id === 'z1' ? 'shop.test' : id), now: () => clock.now() });
  await m.sweep();
  assert.equal(events.length, 0, 'what was in force at start is known, not reported');
  await liftRule(kv, 'z1', 'auto_old', clock.now());
  await m.sweep();
  assert.deepEqual(events.map(([e, z, d]) => [e, z, d['rule'], d['ended']]), [['mitigation.expired', 'shop.test', 'auto_old', 'lifted']]);
  events.length = 0;
  await publishRule(kv, rule('auto_a', 60_000), clock.now());
  await m.sweep();
  assert.deepEqual(events.map(([e]) => e), ['attack.detected', 'mitigation.applied']);
  assert.equal(events[1]?.[2]['segment'], 'ua="evil/1.0"');
  events.length = 0;
  clock.advance(61_000);
  await m.sweep();
  assert.deepEqual(events.map(([e, , d]) => [e, d['rule'], d['ended']]), [['mitigation.expired', 'auto_a', 'expired']]);
});
