import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../lib/clock.ts';
import { Admission } from './admission.ts';
import type { AdmissionLimits, AdmissionReason, AbuseKind } from './admission.ts';
import { ConnectionTracker, reservedCount } from './connection-tracker.ts';
import { KnownGoodClients } from './known-good.ts';
import { TokenBuckets } from './token-bucket.ts';
import { H2FrameCounter } from './h2-guard.ts';
import { BodyRateMonitor } from './body-rate.ts';

const LIMITS: AdmissionLimits = {
  max_connections_per_ip: 3, new_connections_per_ip_per_second: 2, new_connections_per_ip_burst: 4,
  max_connections: 10, reserved_connections: '20%', h2_max_rst_per_second: 5, h2_max_pings_per_second: 3, h2_max_settings_per_second: 2,
};

test('token bucket: burst, then refill at the rate, per key', () => {
  const clock = new ManualClock();
  const b = new TokenBuckets({ rate: 2, burst: 3, clock });
  assert.equal(b.take('a'), true); assert.equal(b.take('a'), true); assert.equal(b.take('a'), true);
  assert.equal(b.take('a'), false);
  assert.equal(b.take('b'), true, 'another key has its own bucket');
  clock.advance(499);
  assert.equal(b.take('a'), false);
  clock.advance(1);
  assert.equal(b.take('a'), true, 'one token after 500 ms at 2/s');
  assert.equal(b.take('a'), false);
  clock.advance(60_000);
  for (let i = 0; i < 3; i++) assert.equal(b.take('a'), true);
  assert.equal(b.take('a'), false, 'never more than the burst');
});

test('token bucket: memory stays bounded', () => {
  const clock = new ManualClock();
  const b = new TokenBuckets({ rate: 1, burst: 1, clock, maxKeys: 100 });
  for (let i = 0; i < 1000; i++) b.take('k' + i);
  assert.ok(b.size <= 100, `size ${b.size}`);
});

test('connection tracker: per-IP cap, global cap, reserve', () => {
  const t = new ConnectionTracker({ perIp: 2, global: 5, reserved: 1 });
  t.open('a'); t.open('a');
  assert.equal(t.check('a', false), 'per_ip');
  assert.equal(t.check('b', false), undefined);
  t.open('b'); t.open('c');
  assert.equal(t.total, 4);
  assert.equal(t.check('d', false), 'reserve', 'the last slot is reserved');
  assert.equal(t.check('d', true), undefined, 'a known-good client may take it');
  t.open('d');
  assert.equal(t.check('e', true), 'global');
  t.close('a');
  assert.equal(t.count('a'), 1);
  assert.equal(t.check('e', true), undefined);
  t.close('zzz');
  assert.equal(t.total, 4, 'closing an unknown IP changes nothing');
});

test('reservedCount: number or percentage', () => {
  assert.equal(reservedCount('10%', 20000), 2000);
  assert.equal(reservedCount(50, 20000), 50);
  assert.equal(reservedCount(50, 10), 10);
  assert.equal(reservedCount('0%', 100), 0);
});

test('known-good clients expire and can be forgotten', () => {
  const clock = new ManualClock();
  const k = new KnownGoodClients(clock, 1000);
  k.mark('1.2.3.4');
  assert.equal(k.has('1.2.3.4'), true);
  clock.advance(1000);
  assert.equal(k.has('1.2.3.4'), false);
  k.mark('1.2.3.4');
  k.forget('1.2.3.4');
  assert.equal(k.has('1.2.3.4'), false);
});

test('H2 frame counter: limits per one-second window', () => {
  const clock = new ManualClock();
  const c = new H2FrameCounter({ rstPerSecond: 3, pingsPerSecond: 2, settingsPerSecond: 1 }, clock);
  assert.equal(c.reset(), undefined); assert.equal(c.reset(), undefined); assert.equal(c.reset(), undefined);
  assert.equal(c.reset(), 'h2_rapid_reset');
  assert.equal(c.ping(), undefined); assert.equal(c.ping(), undefined);
  assert.equal(c.ping(), 'h2_ping_flood');
  assert.equal(c.settings(), undefined);
  assert.equal(c.settings(), 'h2_settings_flood');
  clock.advance(1000);
  assert.equal(c.reset(), undefined, 'a new window starts clean');
  assert.equal(c.ping(), undefined);
});

test('admission: per-IP, rate, global with reserve; metrics reasons and throttled reputation reports', () => {
  const clock = new ManualClock();
  const refused: AdmissionReason[] = [];
  const abuse: Array<[string, AbuseKind]> = [];
  const a = new Admission({ limits: LIMITS, clock, onRefused: (r) => refused.push(r), onAbuse: (ip, k) => abuse.push([ip, k]) });
  for (let i = 0; i < 3; i++) assert.equal(a.admit('10.0.0.1'), undefined);
  assert.equal(a.admit('10.0.0.1'), 'per_ip');
  assert.equal(a.admit('10.0.0.1'), 'per_ip');
  assert.deepEqual(abuse, [['10.0.0.1', 'conn_flood']], 'reported once in the interval');
  a.release('10.0.0.1');
  assert.equal(a.admit('10.0.0.1'), undefined, 'the 4th token of the burst');
  a.release('10.0.0.1');
  assert.equal(a.admit('10.0.0.1'), 'rate', 'the bucket is empty');
  clock.advance(500);
  assert.equal(a.admit('10.0.0.1'), undefined, 'refilled at 2/s');
  // global: 10 with 2 reserved; 3 open from 10.0.0.1
  for (let i = 2; i <= 6; i++) assert.equal(a.admit('10.0.0.' + i), undefined);
  assert.equal(a.conns.total, 8);
  assert.equal(a.admit('10.0.0.7'), 'reserve');
  a.requestDone('10.0.0.7', true);
  assert.equal(a.admit('10.0.0.7'), undefined, 'known-good enters the reserve');
  a.requestDone('10.0.0.8', true);
  assert.equal(a.admit('10.0.0.8'), undefined);
  assert.equal(a.admit('10.0.0.9'), 'global');
  a.requestDone('10.0.0.9', true);
  assert.equal(a.admit('10.0.0.9'), 'global', 'nobody past the global cap');
  assert.deepEqual(refused, ['per_ip', 'per_ip', 'rate', 'reserve', 'global', 'global']);
  clock.advance(10_000);
  assert.equal(a.admit('10.0.0.1'), 'per_ip');
  assert.equal(abuse.length, 2, 'reported again after the interval');
});

test('admission: a blocked request takes away known-good standing', () => {
  const a = new Admission({ limits: LIMITS, clock: new ManualClock() });
  a.requestDone('10.1.1.1', true);
  assert.equal(a.knownGood.has('10.1.1.1'), true);
  a.requestDone('10.1.1.1', false);
  assert.equal(a.knownGood.has('10.1.1.1'), false);
});

test('body rate: judged after the grace period on the average rate; a restart forgives edge backpressure', () => {
  const clock = new ManualClock();
  const m = new BodyRateMonitor({ minBytesPerSecond: 100, graceSeconds: 2, clock }, 1000);
  clock.advance(1000);
  assert.equal(m.tooSlow(1000), false, 'within the grace period');
  clock.advance(1000);
  assert.equal(m.tooSlow(1150), true, '150 bytes in 2 s is under 100 B/s');
  assert.equal(m.tooSlow(1200), false, '200 bytes in 2 s is enough');
  m.restart(1200);
  clock.advance(1000);
  assert.equal(m.tooSlow(1200), false, 'a new grace period after a restart');
  clock.advance(1000);
  assert.equal(m.tooSlow(1200), true);
});

test('per-prefix cap: many addresses of one /24 (or /64) share it; another prefix is not affected', () => {
  const t = new ConnectionTracker({ perIp: 10, perPrefix: 3, global: 100, reserved: 0 });
  for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) { assert.equal(t.check(ip, false), undefined); t.open(ip); }
  assert.equal(t.check('198.51.100.4', false), 'per_prefix', 'a fourth address of the same /24');
  assert.equal(t.check('::ffff:198.51.100.5', false), 'per_prefix', 'an IPv4-mapped address counts in its /24');
  assert.equal(t.check('198.51.101.1', false), undefined, 'the next /24 is free');
  assert.equal(t.prefixCount('198.51.100.200'), 3);
  t.close('198.51.100.2');
  assert.equal(t.check('198.51.100.4', false), undefined, 'a slot frees when one closes');
  for (const ip of ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff::3']) t.open(ip);
  assert.equal(t.check('2001:db8:1:2::99', false), 'per_prefix', 'IPv6: one /64');
  assert.equal(t.check('2001:db8:1:3::1', false), undefined);
  const a = new Admission({ limits: { ...LIMITS, max_connections_per_prefix: 2 }, clock: new ManualClock() });
  assert.equal(a.admit('203.0.113.1'), undefined);
  assert.equal(a.admit('203.0.113.2'), undefined);
  assert.equal(a.admit('203.0.113.3'), 'per_prefix');
});
