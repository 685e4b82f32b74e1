import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../lib/clock.ts';
import { counterStoreContract, eventBusContract, keyValueStoreContract } from '../contract/index.ts';
import { MemoryCounterStore, MemoryEventBus, MemoryKeyValueStore } from './index.ts';

counterStoreContract('memory', async () => {
  const clock = new ManualClock();
  const store = new MemoryCounterStore({ clock });
  return { store, clock, close: () => store.close() };
});

keyValueStoreContract('memory', async () => {
  const clock = new ManualClock();
  const store = new MemoryKeyValueStore({ clock });
  return { store, clock, close: () => store.close() };
});

eventBusContract('memory', async () => {
  const bus = new MemoryEventBus({ onError: () => {} });
  return { bus, close: () => bus.close() };
});

describe('memory adapters: bounded memory', () => {
  it('the counter sweep drops state that can no longer count', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const store = new MemoryCounterStore({ clock, sweepIntervalMs: 0 });
    await store.hit('a', 1000);
    await store.hit('b', 60_000);
    clock.advance(2000);
    store.sweep();
    assert.equal(store.size, 1);
    assert.equal(await store.peek('b', 60_000), 1);
    await store.close();
  });

  it('the counter store evicts the least recently hit key beyond maxKeys', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const store = new MemoryCounterStore({ clock, maxKeys: 3, sweepIntervalMs: 0 });
    await store.hit('a', 1000);
    await store.hit('b', 1000);
    await store.hit('c', 1000);
    await store.hit('a', 1000); // a is now the most recent
    await store.hit('d', 1000); // evicts b
    assert.equal(store.size, 3);
    assert.equal(await store.peek('b', 1000), 0);
    assert.equal(await store.peek('a', 1000), 2);
    await store.close();
  });

  it('the key-value sweep removes expired entries; the cap evicts the oldest write', async () => {
    const clock = new ManualClock();
    const store = new MemoryKeyValueStore({ clock, maxEntries: 2, sweepIntervalMs: 0 });
    await store.set('short', '1', 100);
    await store.set('long', '2');
    clock.advance(100);
    store.sweep();
    assert.equal(store.size, 1);
    await store.set('x', '3');
    await store.set('y', '4'); // evicts 'long'
    assert.equal(store.size, 2);
    assert.equal(await store.get('long'), undefined);
    assert.equal(await store.get('y'), '4');
    await store.close();
  });

  it('a throwing handler is reported to onError', async () => {
    const errors: string[] = [];
    const bus = new MemoryEventBus({ onError: (e, channel) => errors.push(`${channel}:${String(e)}`) });
    let delivered = false;
    await bus.subscribe('c', () => { throw new Error('boom'); });
    await bus.subscribe('c', () => { delivered = true; });
    await bus.publish('c', 'm');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(delivered, true);
    assert.deepEqual(errors, ['c:Error: boom']);
    await bus.close();
  });
});
