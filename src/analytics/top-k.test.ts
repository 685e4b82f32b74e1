import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeTopSketches, SpaceSaving, checkTopSketch, TopMerger } from './top-k.ts';
import type { AnalyticsTopSketch } from '../state/ports.ts';

/** A deterministic skewed stream: key i appears about N/(i+1) times (Zipf), interleaved with a long tail. */
function zipfStream(n: number, keys: number, seed: number): string[] {
  const out: string[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const u = (x / 2 ** 32) * Math.log(keys + 1);
    out.push(`k${Math.floor(Math.exp(u)) - 1}`);
  }
  return out;
}

function truth(stream: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of stream) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function checkBounds(s: AnalyticsTopSketch, t: Map<string, number>): void {
  for (const [key, c, e] of s.items) {
    const tc = t.get(key) ?? 0;
    assert.ok(c >= tc && c - e <= tc, `${key}: [${c - e}, ${c}] must hold ${tc}`);
  }
  const listed = new Set(s.items.map((i) => i[0]));
  for (const [key, tc] of t) if (!listed.has(key)) assert.ok(tc <= s.floor, `${key} (${tc}) not listed but above the floor ${s.floor}`);
}

describe('space-saving top-K', () => {
  it('is exact while the keys fit', () => {
    const ss = new SpaceSaving(3);
    for (const k of ['a', 'b', 'a', 'c', 'a', 'b']) ss.add(k);
    assert.deepEqual(ss.toSketch(), { floor: 0, items: [['a', 3, 0], ['b', 2, 0], ['c', 1, 0]] });
  });

  it('keeps every count an upper bound and finds the heavy hitters of a skewed stream', () => {
    const stream = zipfStream(50_000, 5000, 1);
    const ss = new SpaceSaving(100);
    for (const k of stream) ss.add(k);
    const s = ss.toSketch();
    assert.equal(s.items.length, 100);
    const t = truth(stream);
    checkBounds(s, t);
    const real = [...t.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map((e) => e[0]);
    assert.deepEqual(s.items.slice(0, 5).map((i) => i[0]).sort(), real.sort());
  });

  it('merges sketches of disjoint streams keeping the bounds', () => {
    const a = zipfStream(20_000, 3000, 2);
    const b = zipfStream(20_000, 3000, 3);
    const sa = new SpaceSaving(50);
    const sb = new SpaceSaving(50);
    for (const k of a) sa.add(k);
    for (const k of b) sb.add(k);
    const m = mergeTopSketches(sa.toSketch(), sb.toSketch(), 50);
    assert.equal(m.items.length, 50);
    checkBounds(m, truth([...a, ...b]));
    // merging with an empty sketch changes nothing
    assert.deepEqual(mergeTopSketches(m, { floor: 0, items: [] }, 50), m);
  });

  it('exact merge of small sketches adds the counts', () => {
    const m = mergeTopSketches({ floor: 0, items: [['a', 3, 0], ['b', 1, 0]] }, { floor: 0, items: [['b', 4, 0], ['c', 2, 0]] }, 10);
    assert.deepEqual(m, { floor: 0, items: [['b', 5, 0], ['a', 3, 0], ['c', 2, 0]] });
    const cut = mergeTopSketches({ floor: 0, items: [['a', 3, 0], ['b', 1, 0]] }, { floor: 0, items: [['b', 4, 0], ['c', 2, 0]] }, 2);
    assert.deepEqual(cut, { floor: 2, items: [['b', 5, 0], ['a', 3, 0]] });
  });

  it('validates sketches from outside', () => {
    checkTopSketch({ floor: 0, items: [['a', 1, 0]] }, 't');
    assert.throws(() => checkTopSketch({ floor: -1, items: [] }, 't'), /t\.floor/);
    assert.throws(() => checkTopSketch({ floor: 0, items: [['a', 1]] }, 't'), /t\.items/);
    assert.throws(() => checkTopSketch(null, 't'), RangeError);
    assert.throws(() => new SpaceSaving(0), RangeError);
  });

  it('n-way merge (TopMerger) keeps the bounds over many sketches and equals the pairwise merge when nothing is cut', () => {
    const streams = Array.from({ length: 60 }, (_, i) => zipfStream(2000, 800, 10 + i));
    const sketches = streams.map((st) => { const ss = new SpaceSaving(20); for (const k of st) ss.add(k); return ss.toSketch(); });
    const m = new TopMerger(20);
    for (const sk of sketches) m.add(sk);
    const r = m.result();
    assert.equal(r.items.length, 20);
    checkBounds(r, truth(streams.flat()));
    const small = [{ floor: 0, items: [['a', 3, 0], ['b', 1, 0]] }, { floor: 2, items: [['b', 4, 1], ['c', 3, 2]] }, { floor: 1, items: [['a', 2, 1]] }] as const;
    const n = new TopMerger(10);
    for (const sk of small) n.add(sk);
    const pairwise = small.slice(1).reduce<AnalyticsTopSketch>((acc, sk) => mergeTopSketches(acc, sk, 10), small[0]);
    assert.deepEqual(n.result(), pairwise);
    assert.deepEqual(n.result(), { floor: 3, items: [['a', 7, 3], ['b', 6, 2], ['c', 4, 3]] });
  });
});
