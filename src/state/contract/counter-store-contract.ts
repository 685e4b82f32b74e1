/**
 * Contract suite for CounterStore. Every adapter's test file calls `counterStoreContract(name, make)`; `make`
 * returns a fresh, empty store driven by the ManualClock it returns. Windows are aligned on the epoch (the clock is
 * set to a multiple of the window), so the two-bucket estimate gives exact, predictable numbers. The sliding tests
 * pin that estimate (the one Redis and Postgres adapters will also use); an adapter with an exact log of hits would
 * need those two tests relaxed to the bounds the port states.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManualClock } from '../../lib/clock.ts';
import type { CounterStore } from '../ports.ts';

export interface CounterStoreFixture {
  store: CounterStore;
  clock: ManualClock;
  close(): Promise<void>;
}

/** A time that starts a bucket for every window used below (1 s, 10 s, 60 s). */
const T0 = 1_700_000_040_000;

export function counterStoreContract(name: string, make: () => Promise<CounterStoreFixture>): void {
  const withStore = (fn: (f: CounterStoreFixture) => Promise<void>) => async () => {
    const f = await make();
    f.clock.set(T0);
    try {
      await fn(f);
    } finally {
      await f.close();
    }
  };

  describe(`CounterStore contract: ${name}`, () => {
    it('counts hits within the window, including the current one', withStore(async ({ store, clock }) => {
      assert.equal(await store.hit('k', 1000), 1);
      clock.advance(100);
      assert.equal(await store.hit('k', 1000), 2);
      clock.advance(100);
      assert.equal(await store.hit('k', 1000), 3);
      assert.equal(await store.peek('k', 1000), 3);
    }));

    it('peek does not add and is 0 for an unknown key', withStore(async ({ store }) => {
      assert.equal(await store.peek('nobody', 1000), 0);
      await store.hit('k', 1000);
      assert.equal(await store.peek('k', 1000), 1);
      assert.equal(await store.peek('k', 1000), 1);
    }));

    it('slides: the previous bucket decays linearly and vanishes after two windows', withStore(async ({ store, clock }) => {
      for (let i = 0; i < 10; i++) await store.hit('k', 1000);
      clock.advance(1000); // next bucket starts: the whole previous bucket still counts
      assert.equal(await store.peek('k', 1000), 10);
      clock.advance(250);
      assert.equal(await store.peek('k', 1000), 7.5);
      clock.advance(500);
      assert.equal(await store.peek('k', 1000), 2.5);
      assert.equal(await store.hit('k', 1000), 3.5);
      clock.advance(250); // T0 + 2000: the 10 are gone, the 1 is the previous bucket now
      assert.equal(await store.peek('k', 1000), 1);
      clock.advance(1000);
      assert.equal(await store.peek('k', 1000), 0);
      assert.equal(await store.hit('k', 1000), 1);
    }));

    it('never under-counts hits made inside the last window by more than the previous bucket share', withStore(async ({ store, clock }) => {
      // 4 hits at +600, +700, +800, +900 ms; at +1500 the exact count over (500, 1500] is 4.
      clock.advance(600);
      for (let i = 0; i < 4; i++) {
        await store.hit('k', 1000);
        clock.advance(100);
      }
      clock.set(T0 + 1500);
      const n = await store.peek('k', 1000);
      assert.ok(n >= 4 * 0.5 && n <= 4, `estimate ${n} must lie in [prev share, exact bound]`);
      assert.equal(n, 2);
    }));

    it('an idle key starts over after two windows', withStore(async ({ store, clock }) => {
      await store.hit('k', 60_000, 50);
      clock.advance(120_000);
      assert.equal(await store.peek('k', 60_000), 0);
      assert.equal(await store.hit('k', 60_000), 1);
    }));

    it('reset forgets the key', withStore(async ({ store }) => {
      await store.hit('k', 1000, 5);
      await store.hit('other', 1000, 2);
      await store.reset('k');
      assert.equal(await store.peek('k', 1000), 0);
      assert.equal(await store.hit('k', 1000), 1);
      assert.equal(await store.peek('other', 1000), 2);
      await store.reset('never-seen'); // no error
    }));

    it('keeps keys separate', withStore(async ({ store }) => {
      await store.hit('a', 1000);
      await store.hit('a', 1000);
      await store.hit('b', 1000);
      await store.hit('a:b', 1000, 7);
      assert.equal(await store.peek('a', 1000), 2);
      assert.equal(await store.peek('b', 1000), 1);
      assert.equal(await store.peek('a:b', 1000), 7);
      assert.equal(await store.peek('A', 1000), 0);
    }));

    it('adds the cost, fractional or zero', withStore(async ({ store }) => {
      assert.equal(await store.hit('k', 10_000, 5), 5);
      assert.equal(await store.hit('k', 10_000, 2.5), 7.5);
      assert.equal(await store.hit('k', 10_000, 0), 7.5);
      assert.equal(await store.hit('k', 10_000), 8.5);
    }));

    it('rejects a negative or non-finite cost and a non-positive or non-integer window', withStore(async ({ store }) => {
      await assert.rejects(store.hit('k', 1000, -1), RangeError);
      await assert.rejects(store.hit('k', 1000, Number.NaN), RangeError);
      await assert.rejects(store.hit('k', 0), RangeError);
      await assert.rejects(store.hit('k', 1.5), RangeError);
      await assert.rejects(store.peek('k', -1000), RangeError);
      assert.equal(await store.peek('k', 1000), 0);
    }));

    it('is exact under many parallel hits: each hit sees a distinct total', withStore(async ({ store }) => {
      const n = 200;
      const results = await Promise.all(Array.from({ length: n }, () => store.hit('burst', 60_000)));
      assert.deepEqual([...results].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i + 1));
      assert.equal(await store.peek('burst', 60_000), n);
    }));

    it('handles many keys', withStore(async ({ store }) => {
      await Promise.all(Array.from({ length: 500 }, (_, i) => store.hit(`ip:${i}`, 1000, i)));
      assert.equal(await store.peek('ip:0', 1000), 0);
      assert.equal(await store.peek('ip:499', 1000), 499);
    }));
  });
}
