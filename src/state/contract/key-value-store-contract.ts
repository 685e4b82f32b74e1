/**
 * Contract suite for KeyValueStore. `make` returns a fresh, empty store driven by the ManualClock it returns.
 * Semantics pinned here (every adapter must match): expiry is exclusive (a key set with ttl 1000 at t is gone at
 * t + 1000); `set` without a TTL removes any previous TTL; `incr` sets the TTL only when it creates the key;
 * a non-positive TTL is a RangeError; `incr` on a non-integer value is a TypeError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManualClock } from '../../lib/clock.ts';
import type { KeyValueStore } from '../ports.ts';

export interface KeyValueStoreFixture {
  store: KeyValueStore;
  clock: ManualClock;
  close(): Promise<void>;
}

export function keyValueStoreContract(name: string, make: () => Promise<KeyValueStoreFixture>): void {
  const withStore = (fn: (f: KeyValueStoreFixture) => Promise<void>) => async () => {
    const f = await make();
    try {
      await fn(f);
    } finally {
      await f.close();
    }
  };

  describe(`KeyValueStore contract: ${name}`, () => {
    it('gets what was set, undefined when absent, and overwrites', withStore(async ({ store }) => {
      assert.equal(await store.get('k'), undefined);
      await store.set('k', 'v1');
      assert.equal(await store.get('k'), 'v1');
      await store.set('k', 'v2');
      assert.equal(await store.get('k'), 'v2');
      await store.set('empty', '');
      assert.equal(await store.get('empty'), '');
      await store.set('ключ 🔑', 'значение\u0000tail');
      assert.equal(await store.get('ключ 🔑'), 'значение\u0000tail');
    }));

    it('expires a key after its TTL (fake time)', withStore(async ({ store, clock }) => {
      await store.set('ban:1.2.3.4', '1', 1000);
      clock.advance(999);
      assert.equal(await store.get('ban:1.2.3.4'), '1');
      assert.equal(await store.ttl('ban:1.2.3.4'), 1);
      clock.advance(1);
      assert.equal(await store.get('ban:1.2.3.4'), undefined);
      assert.equal(await store.ttl('ban:1.2.3.4'), undefined);
    }));

    it('ttl(): undefined when absent, Infinity without TTL, milliseconds left otherwise', withStore(async ({ store, clock }) => {
      assert.equal(await store.ttl('nope'), undefined);
      await store.set('forever', 'x');
      assert.equal(await store.ttl('forever'), Infinity);
      await store.set('brief', 'x', 5000);
      assert.equal(await store.ttl('brief'), 5000);
      clock.advance(1200);
      assert.equal(await store.ttl('brief'), 3800);
    }));

    it('set without TTL clears a previous TTL; set with TTL replaces it', withStore(async ({ store, clock }) => {
      await store.set('k', 'a', 1000);
      await store.set('k', 'b');
      clock.advance(5000);
      assert.equal(await store.get('k'), 'b');
      assert.equal(await store.ttl('k'), Infinity);
      await store.set('k', 'c', 2000);
      assert.equal(await store.ttl('k'), 2000);
    }));

    it('rejects a non-positive or non-finite TTL', withStore(async ({ store }) => {
      await assert.rejects(store.set('k', 'v', 0), RangeError);
      await assert.rejects(store.set('k', 'v', -5), RangeError);
      await assert.rejects(store.setIfAbsent('k', 'v', Number.NaN), RangeError);
      await assert.rejects(store.incr('k', 1, Infinity), RangeError);
      assert.equal(await store.get('k'), undefined);
    }));

    it('setIfAbsent stores only when absent or expired', withStore(async ({ store, clock }) => {
      assert.equal(await store.setIfAbsent('nonce', 'first', 1000), true);
      assert.equal(await store.setIfAbsent('nonce', 'second', 1000), false);
      assert.equal(await store.get('nonce'), 'first');
      assert.equal(await store.ttl('nonce'), 1000);
      clock.advance(1000);
      assert.equal(await store.setIfAbsent('nonce', 'third'), true);
      assert.equal(await store.get('nonce'), 'third');
      assert.equal(await store.ttl('nonce'), Infinity);
    }));

    it('setIfAbsent is atomic under parallel calls: exactly one wins', withStore(async ({ store }) => {
      const n = 100;
      const wins = await Promise.all(Array.from({ length: n }, (_, i) => store.setIfAbsent('once', `v${i}`, 60_000)));
      const winners = wins.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1);
      assert.equal(await store.get('once'), `v${winners[0]}`);
    }));

    it('incr counts from 0, by any integer, and returns the new value', withStore(async ({ store }) => {
      assert.equal(await store.incr('n'), 1);
      assert.equal(await store.incr('n'), 2);
      assert.equal(await store.incr('n', 10), 12);
      assert.equal(await store.incr('n', -15), -3);
      assert.equal(await store.get('n'), '-3');
      await store.set('preset', '41');
      assert.equal(await store.incr('preset'), 42);
    }));

    it('incr refuses a non-integer value and a non-integer step', withStore(async ({ store }) => {
      await store.set('s', 'hello');
      await assert.rejects(store.incr('s'), TypeError);
      await store.set('f', '1.5');
      await assert.rejects(store.incr('f'), TypeError);
      assert.equal(await store.get('s'), 'hello');
      await assert.rejects(store.incr('n', 0.5), RangeError);
    }));

    it('incr sets the TTL only when it creates the key, and restarts after expiry', withStore(async ({ store, clock }) => {
      assert.equal(await store.incr('w', 1, 1000), 1);
      clock.advance(400);
      assert.equal(await store.incr('w', 1, 1000), 2);
      assert.equal(await store.ttl('w'), 600);
      await store.set('plain', '5');
      assert.equal(await store.incr('plain', 1, 1000), 6);
      assert.equal(await store.ttl('plain'), Infinity);
      clock.advance(600);
      assert.equal(await store.get('w'), undefined);
      assert.equal(await store.incr('w', 1, 1000), 1);
      assert.equal(await store.ttl('w'), 1000);
    }));

    it('incr is atomic under parallel calls: each sees a distinct value', withStore(async ({ store }) => {
      const n = 200;
      const seen = await Promise.all(Array.from({ length: n }, () => store.incr('hits', 1, 60_000)));
      assert.deepEqual([...seen].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i + 1));
      assert.equal(await store.get('hits'), String(n));
    }));

    it('delete returns whether a live key was removed', withStore(async ({ store, clock }) => {
      await store.set('k', 'v');
      assert.equal(await store.delete('k'), true);
      assert.equal(await store.get('k'), undefined);
      assert.equal(await store.delete('k'), false);
      await store.set('e', 'v', 10);
      clock.advance(10);
      assert.equal(await store.delete('e'), false);
    }));

    it('keeps keys separate', withStore(async ({ store }) => {
      await store.set('a', '1');
      await store.set('a:b', '2');
      await store.set('A', '3');
      assert.equal(await store.get('a'), '1');
      assert.equal(await store.get('a:b'), '2');
      assert.equal(await store.get('A'), '3');
      await store.delete('a');
      assert.equal(await store.get('a:b'), '2');
    }));
  });
}
