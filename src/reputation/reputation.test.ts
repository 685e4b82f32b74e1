import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../lib/clock.ts';
import { createLocalState, MemoryKeyValueStore } from '../state/index.ts';
import type { KeyValueStore } from '../state/index.ts';
import { Reputation } from './index.ts';
import type { ReputationOptions } from './index.ts';

const H = 60_000;
// Start of an epoch (2 half-lives), so numbers below are exact.
const T0 = 1_700_000_160_000 - (1_700_000_160_000 % (2 * H));

function setup(extra: Partial<ReputationOptions> = {}): { rep: Reputation; clock: ManualClock; kv: MemoryKeyValueStore } {
  const clock = new ManualClock(T0);
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  const rep = new Reputation({ kv, clock, halfLifeMs: H, flushIntervalMs: 0, ...extra });
  return { rep, clock, kv };
}

const near = (actual: number, expected: number): void => {
  assert.ok(Math.abs(actual - expected) < 1e-6, `${actual} ≉ ${expected}`);
};

describe('Reputation', () => {
  it('an unknown IP scores 0', async () => {
    const { rep } = setup();
    assert.equal(await rep.score('198.51.100.1'), 0);
  });

  it('adds the kind weight and halves every half-life (fake time)', async () => {
    const { rep, clock } = setup();
    await rep.record('198.51.100.7', 'waf_block');
    near(await rep.score('198.51.100.7'), 10);
    clock.advance(H);
    near(await rep.score('198.51.100.7'), 5);
    await rep.record('198.51.100.7', 'challenge_failed');
    near(await rep.score('198.51.100.7'), 20);
    clock.advance(2 * H);
    near(await rep.score('198.51.100.7'), 5);
    assert.equal(await rep.score('198.51.100.8'), 0);
  });

  it('takes an explicit weight and configured weights; clamps to 100', async () => {
    const { rep } = setup({ weights: { ratelimit: 7 } });
    await rep.record('203.0.113.1', 'ratelimit');
    near(await rep.score('203.0.113.1'), 7);
    await rep.record('203.0.113.1', 'h2_abuse', 60);
    near(await rep.score('203.0.113.1'), 67);
    await rep.record('203.0.113.1', 'h2_abuse', 60);
    assert.equal(await rep.score('203.0.113.1'), 100);
  });

  it('rejects bad weights and unknown kinds', async () => {
    const { rep } = setup();
    await assert.rejects(rep.record('203.0.113.1', 'waf_block', -1), RangeError);
    await assert.rejects(rep.record('203.0.113.1', 'waf_block', Number.NaN), RangeError);
    await assert.rejects(rep.record('203.0.113.1', 'nonsense' as 'waf_block'), TypeError);
    assert.throws(() => setup({ weights: { nope: 1 } as ReputationOptions['weights'] }), TypeError);
  });

  it('matches the exact decayed sum across epoch boundaries, and forgets after the read horizon', async () => {
    const { rep, clock, kv } = setup();
    const events: { t: number; w: number }[] = [];
    for (let i = 0; i < 12; i++) {
      clock.set(T0 + i * 37_000);
      const w = 1 + (i % 5);
      events.push({ t: clock.now(), w });
      await rep.record('192.0.2.9', 'waf_block', w);
    }
    clock.advance(45_000);
    const exact = events.reduce((s, { t, w }) => s + w * 2 ** (-(clock.now() - t) / H), 0);
    assert.ok(Math.abs((await rep.score('192.0.2.9')) - exact) < 0.01);
    clock.advance(9 * H); // beyond 8 half-lives: every key has expired
    assert.equal(await rep.score('192.0.2.9'), 0);
    kv.sweep();
    assert.equal(kv.size, 0);
  });

  it('groups IPv6 by /64 and IPv4 by address', async () => {
    const { rep } = setup();
    await rep.record('2001:db8:1:2::1', 'waf_block');
    near(await rep.score('2001:db8:1:2:ffff::9'), 10);
    assert.equal(await rep.score('2001:db8:1:3::1'), 0);
    await rep.record('192.0.2.1', 'waf_block');
    assert.equal(await rep.score('192.0.2.2'), 0);
    assert.equal(rep.subject('::ffff:192.0.2.1'), '192.0.2.1/32');
  });

  it('is shared: another instance on the same store sees flushed events once its cache expires', async () => {
    const clock = new ManualClock(T0);
    const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
    const a = new Reputation({ kv, clock, halfLifeMs: H, flushIntervalMs: 60_000 });
    const b = new Reputation({ kv, clock, halfLifeMs: H, flushIntervalMs: 60_000, cacheMs: 1000 });
    assert.equal(await b.score('198.51.100.5'), 0); // cached as 0
    await a.record('198.51.100.5', 'conn_flood');
    near(await a.score('198.51.100.5'), 20); // own pending events count at once
    await a.flush();
    assert.equal(await b.score('198.51.100.5'), 0); // b's cache is still fresh
    clock.advance(1000);
    near(await b.score('198.51.100.5'), 20 * 2 ** (-1000 / H));
    await a.close();
    await b.close();
  });

  it('buffers many events into one increment per subject and epoch', async () => {
    const clock = new ManualClock(T0);
    const inner = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
    let incrs = 0;
    const kv: KeyValueStore = {
      get: (k) => inner.get(k),
      set: (k, v, t) => inner.set(k, v, t),
      setIfAbsent: (k, v, t) => inner.setIfAbsent(k, v, t),
      incr: (k, by, t) => { incrs++; return inner.incr(k, by, t); },
      delete: (k) => inner.delete(k),
      ttl: (k) => inner.ttl(k),
    };
    const rep = new Reputation({ kv, clock, halfLifeMs: H, flushIntervalMs: 60_000 });
    for (let i = 0; i < 50; i++) await rep.record('198.51.100.9', 'ratelimit');
    near(await rep.score('198.51.100.9'), 100);
    assert.equal(incrs, 0);
    await rep.flush();
    assert.equal(incrs, 1);
    assert.equal(await inner.get(`rep:198.51.100.9/32:${Math.floor(T0 / (2 * H))}`), String(50 * 2 * 1000));
    await rep.close();
  });

  it('flushes early when maxPending is reached', async () => {
    const { rep, kv } = setup({ flushIntervalMs: 60_000, maxPending: 3 });
    await rep.record('192.0.2.1', 'waf_block');
    await rep.record('192.0.2.2', 'waf_block');
    assert.equal(kv.size, 0);
    await rep.record('192.0.2.3', 'waf_block');
    await rep.flush(); // waits for the early flush already under way
    assert.equal(kv.size, 3);
    await rep.close();
  });

  it('forgive clears pending and stored points', async () => {
    const { rep } = setup({ flushIntervalMs: 60_000 });
    await rep.record('192.0.2.1', 'waf_block');
    await rep.flush();
    await rep.record('192.0.2.1', 'waf_block');
    near(await rep.score('192.0.2.1'), 20);
    await rep.forgive('192.0.2.1');
    assert.equal(await rep.score('192.0.2.1'), 0);
    await rep.close();
  });

  it('fails open: store errors are reported, never thrown, and the score falls back to local events', async () => {
    const clock = new ManualClock(T0);
    const broken: KeyValueStore = {
      get: async () => { throw new Error('store down'); },
      set: async () => { throw new Error('store down'); },
      setIfAbsent: async () => { throw new Error('store down'); },
      incr: async () => { throw new Error('store down'); },
      delete: async () => { throw new Error('store down'); },
      ttl: async () => { throw new Error('store down'); },
    };
    const errors: unknown[] = [];
    const rep = new Reputation({ kv: broken, clock, halfLifeMs: H, flushIntervalMs: 60_000, onError: (e) => errors.push(e) });
    await rep.record('192.0.2.1', 'waf_block');
    near(await rep.score('192.0.2.1'), 10);
    await rep.flush();
    assert.equal(await rep.score('192.0.2.1'), 0); // the failed flush dropped the increment
    assert.ok(errors.length >= 2);
    await rep.close();
  });

  it('works on the SQLite adapter, shared by two connections', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-rep-'));
    try {
      const clock = new ManualClock(T0);
      const s1 = createLocalState({ kind: 'sqlite', path: join(dir, 'state.sqlite'), clock });
      const s2 = createLocalState({ kind: 'sqlite', path: join(dir, 'state.sqlite'), clock });
      const a = new Reputation({ kv: s1.kv, clock, halfLifeMs: H, flushIntervalMs: 0 });
      const b = new Reputation({ kv: s2.kv, clock, halfLifeMs: H, flushIntervalMs: 0, cacheMs: 0 });
      await Promise.all([a.record('192.0.2.1', 'waf_block'), b.record('192.0.2.1', 'waf_block'), a.record('192.0.2.1', 'h2_abuse')]);
      near(await b.score('192.0.2.1'), 45);
      await a.close();
      await b.close();
      await s1.close();
      await s2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

it('scoreNow answers from a fresh cache without waiting, and agrees with score()', async () => {
  const clock = new ManualClock();
  const rep = new Reputation({ kv: new MemoryKeyValueStore({ clock }), clock, cacheMs: 1000 });
  assert.equal(rep.scoreNow('198.51.100.7'), undefined, 'nothing cached yet');
  assert.equal(await rep.score('198.51.100.7'), 0);
  assert.equal(rep.scoreNow('198.51.100.7'), 0);
  await rep.record('198.51.100.7', 'waf_block');
  assert.equal(rep.scoreNow('198.51.100.7'), await rep.score('198.51.100.7'));
  assert.ok((rep.scoreNow('198.51.100.7') ?? 0) > 0);
  clock.advance(2000);
  assert.equal(rep.scoreNow('198.51.100.7'), undefined, 'stale cache: must be fetched');
  await rep.close();
});
