import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../lib/clock.ts';
import { FallbackCounterStore, FallbackKeyValueStore, RemoteBreaker } from './fallback.ts';
import { MemoryCounterStore, MemoryKeyValueStore } from './memory/index.ts';
import type { CounterStore } from './ports.ts';

const unavailable = (): Error => Object.assign(new Error('connect ECONNREFUSED'), { code: 'state.unavailable' });

/** A remote counter store that can be switched off, counting the calls that reached it. */
function flakyCounters(clock: ManualClock): { store: CounterStore; calls: () => number; setDown(d: boolean): void } {
  const inner = new MemoryCounterStore({ clock });
  let down = false;
  let calls = 0;
  const gate = async <T>(f: () => Promise<T>): Promise<T> => { calls++; if (down) throw unavailable(); return f(); };
  return {
    store: { hit: (k, w, c) => gate(() => inner.hit(k, w, c)), peek: (k, w) => gate(() => inner.peek(k, w)), reset: (k) => gate(() => inner.reset(k)) },
    calls: () => calls,
    setDown: (d) => { down = d; },
  };
}

describe('fail-open state wrappers', () => {
  it('answers from the remote while it is up, locally while it is down, and goes back when it returns', async () => {
    const clock = new ManualClock();
    const remote = flakyCounters(clock);
    const changes: boolean[] = [];
    let fallbacks = 0;
    const breaker = new RemoteBreaker({ clock, retryMs: 1000, onChange: (up) => changes.push(up), onFallback: () => { fallbacks++; } });
    const c = new FallbackCounterStore(remote.store, new MemoryCounterStore({ clock }), breaker);
    assert.equal(await c.hit('k', 60_000), 1);
    assert.equal(await c.hit('k', 60_000), 2);
    remote.setDown(true);
    assert.equal(await c.hit('k', 60_000), 1, 'the local count starts afresh');
    assert.equal(breaker.up, false);
    const before = remote.calls();
    for (let i = 0; i < 10; i++) await c.hit('k', 60_000);
    assert.equal(remote.calls(), before, 'the remote is left alone during the retry period');
    assert.equal(fallbacks, 11);
    clock.advance(1001);
    remote.setDown(false);
    assert.equal(await c.hit('k', 60_000), 3, 'back on the remote count');
    assert.deepEqual(changes, [false, true], 'one report down, one report up');
  });

  it('key-value calls fall back too, and a remote still down after the period is tried once again', async () => {
    const clock = new ManualClock();
    let down = true;
    let calls = 0;
    const inner = new MemoryKeyValueStore({ clock });
    const remote = new Proxy(inner, { get(t, p) {
      const v = Reflect.get(t, p) as unknown;
      return typeof v === 'function' ? async (...a: unknown[]) => { calls++; if (down) throw unavailable(); return (v as (...x: unknown[]) => unknown).apply(t, a); } : v;
    } });
    const kv = new FallbackKeyValueStore(remote, new MemoryKeyValueStore({ clock }), new RemoteBreaker({ clock, retryMs: 500 }));
    assert.equal(await kv.setIfAbsent('nonce', '1', 10_000), true);
    assert.equal(await kv.setIfAbsent('nonce', '1', 10_000), false, 'replay protection holds locally');
    assert.equal(calls, 1);
    clock.advance(600);
    assert.equal(await kv.get('nonce'), '1');
    assert.equal(calls, 2, 'retried once after the period');
    down = false;
    clock.advance(600);
    assert.equal(await kv.get('nonce'), undefined, 'the remote never saw the local key');
    assert.equal(await kv.incr('n', 2), 2);
    assert.equal(await inner.get('n'), '2');
    await inner.set('word', 'abc');
    await assert.rejects(kv.incr('word'), TypeError, 'a fault of the call is passed through, not taken for an outage');
    assert.equal(await kv.incr('n'), 3, 'and the remote is still used');
  });
});
