/**
 * Differential test: random operation sequences (seeded) give identical answers on the memory and SQLite adapters,
 * including a clock that sometimes steps back (another process slightly behind), which exercises the
 * "stored bucket ahead of our clock" path of the SQL upsert.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../lib/clock.ts';
import { MemoryCounterStore, MemoryKeyValueStore } from '../memory/index.ts';
import type { Closeable, CounterStore, KeyValueStore } from '../ports.ts';
import { openSqlite } from './open-sqlite.ts';
import { SqliteCounterStore } from './sqlite-counter-store.ts';
import { SqliteKeyValueStore } from './sqlite-key-value-store.ts';

/** mulberry32: a small seeded PRNG so a failure replays. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function settle<T>(p: Promise<T>): Promise<T | string> {
  try {
    return await p;
  } catch (error) {
    return `${(error as Error).name}`;
  }
}

describe('memory and SQLite adapters agree on random sequences', () => {
  for (const seed of [1, 2, 3]) {
    it(`counters, seed ${seed}`, async () => {
      const rnd = prng(seed);
      const clock = new ManualClock(1_700_000_000_000);
      const db = openSqlite(':memory:');
      const stores: (CounterStore & Closeable)[] = [new MemoryCounterStore({ clock, sweepIntervalMs: 0 }), new SqliteCounterStore({ db, clock, sweepIntervalMs: 0 })];
      const keys = ['a', 'b', 'c'];
      const windows = [1000, 5000];
      for (let step = 0; step < 400; step++) {
        const r = rnd();
        const key = keys[Math.floor(rnd() * keys.length)] ?? 'a';
        const w = windows[Math.floor(rnd() * windows.length)] ?? 1000;
        const label = `step ${step}`;
        if (r < 0.15) clock.advance(Math.floor(rnd() * 3000));
        else if (r < 0.18) clock.advance(-Math.floor(rnd() * 1500));
        else if (r < 0.22) for (const s of stores) await s.reset(key);
        else if (r < 0.45) {
          const [m, q] = await Promise.all(stores.map((s) => s.peek(key, w)));
          assert.equal(q, m, label);
        } else {
          const cost = rnd() < 0.2 ? Math.floor(rnd() * 5) : 1;
          const [m, q] = await Promise.all(stores.map((s) => s.hit(key, w, cost)));
          assert.equal(q, m, label);
        }
      }
      for (const s of stores) await s.close();
      db.close();
    });

    it(`key-value, seed ${seed}`, async () => {
      const rnd = prng(seed);
      const clock = new ManualClock(1_700_000_000_000);
      const db = openSqlite(':memory:');
      const stores: (KeyValueStore & Closeable)[] = [new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 }), new SqliteKeyValueStore({ db, clock, sweepIntervalMs: 0 })];
      const keys = ['a', 'b', 'c'];
      const ttl = (): number | undefined => (rnd() < 0.5 ? undefined : 1 + Math.floor(rnd() * 2000));
      for (let step = 0; step < 400; step++) {
        const r = rnd();
        const key = keys[Math.floor(rnd() * keys.length)] ?? 'a';
        const label = `step ${step}`;
        let results: unknown[];
        if (r < 0.15) {
          clock.advance(Math.floor(rnd() * 1000));
          continue;
        } else if (r < 0.3) {
          const v = rnd() < 0.8 ? String(Math.floor(rnd() * 10)) : 'text';
          const t = ttl();
          results = await Promise.all(stores.map((s) => settle(s.set(key, v, t))));
        } else if (r < 0.45) {
          const t = ttl();
          results = await Promise.all(stores.map((s) => settle(s.setIfAbsent(key, 'x', t))));
        } else if (r < 0.65) {
          const by = Math.floor(rnd() * 7) - 3;
          const t = ttl();
          results = await Promise.all(stores.map((s) => settle(s.incr(key, by, t))));
        } else if (r < 0.72) {
          results = await Promise.all(stores.map((s) => settle(s.delete(key))));
        } else if (r < 0.86) {
          results = await Promise.all(stores.map((s) => settle(s.ttl(key))));
        } else {
          results = await Promise.all(stores.map((s) => settle(s.get(key))));
        }
        assert.deepEqual(results[1], results[0], label);
      }
      for (const s of stores) await s.close();
      db.close();
    });
  }
});
