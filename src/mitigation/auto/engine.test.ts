import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../lib/clock.ts';
import { MemoryKeyValueStore } from '../../state/memory/index.ts';
import { AutoMitigation } from './engine.ts';
import { DEFAULT_AUTO_MITIGATION } from './options.ts';
import { liftRule, readRules } from './store.ts';
import type { Traits } from './traits.ts';
import type { AutoRule } from './rule.ts';

const O = { ...DEFAULT_AUTO_MITIGATION, warmupS: 10, confirmS: 2, ttlS: 30 };
const legit: Traits = { path: '/', ua: 'browser', prefix: '198.51.100.0/24', fingerprint: 'aaaaaaaa' };
const bad = (i: number): Traits => ({ path: '/', ua: 'evil/1.0', prefix: `10.0.${i % 200}.0/24`, fingerprint: 'aaaaaaaa' });

test('two workers share one store: one detects, both enforce; lifting and expiry reach both', async () => {
  const clock = new ManualClock(1_700_000_000_000);
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  const made: AutoRule[] = [];
  const a = new AutoMitigation({ kv, clock, options: O, onRule: (r) => made.push(r) });
  const b = new AutoMitigation({ kv, clock, options: O });
  const second = async (legitN: number, badN: number): Promise<void> => {
    for (let i = 0; i < legitN; i++) { a.observe('z1', 'medium', 'on', legit); b.observe('z1', 'medium', 'on', legit); }
    for (let i = 0; i < badN; i++) a.observe('z1', 'medium', 'on', bad(i)); // the flood lands on worker a
    clock.advance(1000);
    await a.tick(); await b.tick();
  };
  for (let i = 0; i < 12; i++) await second(10, 0);
  assert.equal(a.activeRules('z1').length, 0);
  await second(10, 300);
  assert.equal(a.activeRules('z1').length, 0);
  await second(10, 300);
  assert.equal(made.length, 1);
  const r = a.activeRules('z1')[0]!;
  assert.equal(r.segment?.key, 'evil/1.0');
  assert.deepEqual(b.activeRules('z1').map((x) => x.id), [r.id], 'worker b enforces what worker a found');
  assert.deepEqual((await readRules(kv, 'z1')).map((x) => x.id), [r.id]);
  // the operator lifts it: both drop it at their next sync, and worker a does not make it again
  await liftRule(kv, 'z1', r.id, clock.now());
  await second(10, 300);
  assert.equal(a.activeRules('z1').length, 0);
  assert.equal(b.activeRules('z1').length, 0);
  assert.equal(made.length, 1);
});

test('rules expire on every worker without a write', async () => {
  const clock = new ManualClock(1_700_000_000_000);
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  const a = new AutoMitigation({ kv, clock, options: { ...O, coldStartRate: 100 } });
  for (let s = 0; s < 2; s++) { for (let i = 0; i < 150; i++) a.observe('z1', 'medium', 'on', bad(0)); clock.advance(1000); await a.tick(); }
  const r = a.activeRules('z1')[0];
  assert.equal(r?.signal, 'cold_start');
  assert.equal(r?.segment?.dim, 'prefix');
  clock.advance(31_000);
  await a.tick();
  assert.equal(a.activeRules('z1').length, 0);
  assert.equal((await readRules(kv, 'z1'))[0]?.id, r?.id, 'still listed as recent');
});

test('ratelimit rules: a token bucket per rule and worker', () => {
  const clock = new ManualClock(0);
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  const a = new AutoMitigation({ kv, clock, options: O });
  const r: AutoRule = { id: 'x', zoneId: 'z', signal: 'rate', signalDetail: '', segment: { dim: 'path', key: '/', share: 1 }, action: 'ratelimit', rps: 5, reason: '', mode: 'on', createdAt: 0, expiresAt: 1e9 };
  let ok = 0;
  for (let i = 0; i < 20; i++) if (a.allow(r, 1000)) ok++;
  assert.equal(ok, 5);
  assert.equal(a.allow(r, 1100), false);
  assert.equal(a.allow(r, 1300), true, 'refills at 5/s');
});

test('a flood told apart only by its header order is blamed on the fingerprint, described in the rule', async () => {
  const clock = new ManualClock(1_700_000_000_000);
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  const a = new AutoMitigation({ kv, clock, options: O });
  a.noteFingerprint('bbbbbbbb', 'User-Agent,Host 1.1');
  const odd = (i: number): Traits => ({ path: `/q${i % 30}`, ua: `Mozilla/5.0 v${i % 40}`, prefix: `10.9.${i % 100}.0/24`, fingerprint: 'bbbbbbbb' });
  for (let s = 0; s < 14; s++) {
    for (let i = 0; i < 10; i++) a.observe('z1', 'medium', 'on', legit);
    if (s >= 12) for (let i = 0; i < 300; i++) a.observe('z1', 'medium', 'on', odd(i));
    clock.advance(1000);
    await a.tick();
  }
  const r = a.activeRules('z1')[0];
  assert.equal(r?.segment?.dim, 'fingerprint');
  assert.equal(r?.segment?.key, 'bbbbbbbb');
  assert.equal(r?.segment?.sample, 'User-Agent,Host 1.1');
  assert.equal((await readRules(kv, 'z1'))[0]?.segment?.sample, 'User-Agent,Host 1.1');
});
