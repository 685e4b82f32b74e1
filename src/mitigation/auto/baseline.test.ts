import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Baseline } from './baseline.ts';
import type { SecondSample } from './baseline.ts';
import { SpaceSaving } from './space-saving.ts';
import type { SegmentDim } from './traits.ts';

function sample(total: number, keys: (i: number) => string, origin = { count: 0, errors: 0, ms: 0 }): SecondSample {
  const sketches: Record<SegmentDim, SpaceSaving> = { prefix: new SpaceSaving(32), ua: new SpaceSaving(32), fingerprint: new SpaceSaving(32), path: new SpaceSaving(32) };
  for (let i = 0; i < total; i++) { const k = keys(i); sketches.ua.add(k); sketches.path.add('/'); sketches.prefix.add('p'); sketches.fingerprint.add('f'); }
  return { total, originCount: origin.count, originErrors: origin.errors, originMsSum: origin.ms * origin.count, originMsCount: origin.count, sketches };
}

test('rate, origin error share and latency: cumulative during warm-up, then EWMA with the half-life', () => {
  const b = new Baseline(10, 10);
  for (let i = 0; i < 10; i++) b.learn(sample(i % 2 === 0 ? 10 : 30, () => 'a', { count: 10, errors: i < 5 ? 2 : 0, ms: 50 }));
  assert.equal(b.warm, true);
  assert.ok(Math.abs(b.rate - 20) < 1e-9);
  assert.ok(Math.abs(b.errorShare - 0.1) < 1e-9);
  assert.ok(Math.abs(b.latencyMs - 50) < 1e-9);
  // after warm-up: one half-life at rate 60 moves the average half-way (20 → 40)
  for (let i = 0; i < 10; i++) b.learn(sample(60, () => 'a'));
  assert.ok(Math.abs(b.rate - 40) < 1e-6, String(b.rate));
});

test('shares follow the traffic mix, decay when a key goes away, and stay bounded', () => {
  const b = new Baseline(5, 5);
  for (let i = 0; i < 5; i++) b.learn(sample(100, (j) => (j < 75 ? 'chrome' : 'firefox')));
  assert.ok(Math.abs(b.share('ua', 'chrome') - 0.75) < 1e-9);
  assert.ok(Math.abs(b.share('ua', 'firefox') - 0.25) < 1e-9);
  assert.equal(b.share('path', '/'), 1);
  for (let i = 0; i < 5; i++) b.learn(sample(100, () => 'chrome'));
  assert.ok(Math.abs(b.share('ua', 'firefox') - 0.125) < 1e-6, 'half-life 5 s');
  assert.ok(Math.abs(b.share('ua', 'chrome') - 0.875) < 1e-6);
  // thousands of distinct keys over time: at most 64 remembered after pruning, small ones forgotten
  for (let s = 0; s < 120; s++) b.learn(sample(64, (j) => `ua-${s}-${j % 32}`));
  assert.ok(b.keys('ua') <= 128, String(b.keys('ua')));
  assert.equal(b.share('ua', 'firefox'), 0);
});
