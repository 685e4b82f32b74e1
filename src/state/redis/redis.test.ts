import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { ManualClock } from '../../lib/clock.ts';
import { counterStoreContract, eventBusContract, keyValueStoreContract, waitFor } from '../contract/index.ts';
import { createRedisClient, createRedisState, RedisCounterStore, RedisEventBus, RedisKeyValueStore, RedisUnavailableError } from './index.ts';
import { redisServerAvailable, startRedisServer } from './testing.ts';
import type { RedisTestServer } from './testing.ts';

/** Polls an async check (errors count as false) until it holds, bounded by waitFor's limit. */
async function eventually(check: () => Promise<boolean>, what: string, limitMs = 10_000): Promise<void> {
  let ok = false;
  let busy = false;
  const poll = (): void => {
    if (busy || ok) return;
    busy = true;
    check().then((v) => { ok = v; }, () => {}).finally(() => { busy = false; });
  };
  const timer = setInterval(poll, 20);
  poll();
  try {
    await waitFor(() => ok, what, limitMs);
  } finally {
    clearInterval(timer);
  }
}

const quiet = (): void => {};
let n = 0;
const freshPrefix = (): string => `t${process.pid}-${n++}:`;

if (!redisServerAvailable()) {
  it('redis adapters', (t) => { t.skip('redis-server not installed'); });
} else {
  let server: RedisTestServer | undefined;
  let clientA: Redis | undefined;
  let clientB: Redis | undefined;
  const a = (): Redis => { if (clientA === undefined) throw new Error('no client'); return clientA; };
  const b = (): Redis => { if (clientB === undefined) throw new Error('no client'); return clientB; };

  before(async () => {
    server = await startRedisServer();
    clientA = createRedisClient(server.url, { onError: quiet });
    clientB = createRedisClient(server.url, { onError: quiet });
    await eventually(async () => (await a().ping()) === 'PONG' && (await b().ping()) === 'PONG', 'both clients');
  });

  after(async () => {
    clientA?.disconnect();
    clientB?.disconnect();
    await server?.stop();
  });

  counterStoreContract('redis', async () => {
    const clock = new ManualClock();
    const store = new RedisCounterStore({ client: a(), clock, prefix: freshPrefix() });
    return { store, clock, close: () => store.close() };
  });

  keyValueStoreContract('redis', async () => {
    const clock = new ManualClock();
    const store = new RedisKeyValueStore({ client: a(), clock, prefix: freshPrefix() });
    return { store, clock, close: () => store.close() };
  });

  eventBusContract('redis (peer on its own connections)', async () => {
    const prefix = freshPrefix();
    const bus = new RedisEventBus({ client: a(), prefix, onError: quiet });
    const peer = new RedisEventBus({ client: b(), prefix, onError: quiet });
    return { bus, peer, close: async () => { await bus.close(); await peer.close(); } };
  });

  describe('redis adapters', () => {
    it('two stores on separate connections hitting one counter in parallel give the exact total', async () => {
      const clock = new ManualClock(1_700_000_040_000);
      const prefix = freshPrefix();
      const one = new RedisCounterStore({ client: a(), clock, prefix });
      const two = new RedisCounterStore({ client: b(), clock, prefix });
      const hits = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? one : two).hit('shared', 60_000));
      const seen = await Promise.all(hits);
      assert.deepEqual([...seen].sort((x, y) => x - y), Array.from({ length: 300 }, (_, i) => i + 1));
      assert.equal(await one.peek('shared', 60_000), 300);
      assert.equal(await two.peek('shared', 60_000), 300);
    });

    it('prefixes every key and channel, and sets garbage-collection expiries only', async () => {
      const clock = new ManualClock(1_700_000_040_000);
      const prefix = freshPrefix();
      const counters = new RedisCounterStore({ client: a(), clock, prefix });
      const kv = new RedisKeyValueStore({ client: a(), clock, prefix });
      await counters.hit('rl:1.2.3.4', 1000);
      await counters.hit('rl:1.2.3.4', 60_000, 2.25);
      await kv.set('ban', '1', 5000);
      await kv.set('flag', 'on');
      assert.deepEqual((await a().keys(`${prefix}*`)).sort(), [`${prefix}ctr:rl:1.2.3.4`, `${prefix}kv:ban`, `${prefix}kv:flag`]);
      // The longer window raised the counter key's expiry; a later short-window hit does not lower it.
      await counters.hit('rl:1.2.3.4', 1000);
      const ctrTtl = await a().pttl(`${prefix}ctr:rl:1.2.3.4`);
      assert.ok(ctrTtl > 2 * 1000 + 10_000 && ctrTtl <= 2 * 60_000 + 10_000, `counter PTTL ${ctrTtl}`);
      assert.deepEqual(await a().hgetall(`${prefix}ctr:rl:1.2.3.4`), { 1000: '1700000040 2 0', 60000: '28333334 2.25 0' });
      const banTtl = await a().pttl(`${prefix}kv:ban`);
      assert.ok(banTtl > 5000 && banTtl <= 15_000, `kv PTTL ${banTtl}`);
      assert.equal(await a().pttl(`${prefix}kv:flag`), -1);
      assert.deepEqual(await a().hgetall(`${prefix}kv:ban`), { v: '1', e: String(1_700_000_040_000 + 5000) });
      // Logical expiry follows the injected clock although Redis's own expiry is far away.
      clock.advance(5000);
      assert.equal(await kv.get('ban'), undefined);

      const bus = new RedisEventBus({ client: a(), prefix, onError: quiet });
      const got: string[] = [];
      await bus.subscribe('config', (m) => { got.push(m); });
      assert.equal(await b().publish(`${prefix}ev:config`, 'raw'), 1);
      await waitFor(() => got.length === 1, 'a message on the prefixed channel');
      assert.deepEqual(got, ['raw']);
      await bus.close();
    });

    it('reloads its Lua scripts after SCRIPT FLUSH (NOSCRIPT falls back to EVAL)', async () => {
      const clock = new ManualClock(1_700_000_040_000);
      const prefix = freshPrefix();
      const counters = new RedisCounterStore({ client: a(), clock, prefix });
      const kv = new RedisKeyValueStore({ client: a(), clock, prefix });
      assert.equal(await counters.hit('k', 1000), 1);
      assert.equal(await kv.incr('n'), 1);
      await a().script('FLUSH');
      assert.equal(await counters.hit('k', 1000), 2);
      assert.equal(await kv.incr('n'), 2);
    });

    it('a fault Redis reports (a foreign key of the wrong type) is not an outage', async () => {
      const prefix = freshPrefix();
      await a().set(`${prefix}ctr:k`, 'a string');
      const counters = new RedisCounterStore({ client: a(), clock: new ManualClock(), prefix });
      await assert.rejects(counters.hit('k', 1000), (e: Error) => !(e instanceof RedisUnavailableError) && /WRONGTYPE/.test(e.message));
    });

    it('incr keeps kv-rules semantics at the edges (-0, leading zeros, 16 digits, overflow)', async () => {
      const kv = new RedisKeyValueStore({ client: a(), clock: new ManualClock(), prefix: freshPrefix() });
      await kv.set('z', '-0');
      assert.equal(await kv.incr('z'), 1);
      await kv.set('lead', '01');
      await assert.rejects(kv.incr('lead'), TypeError);
      await kv.set('big', '9007199254740990');
      assert.equal(await kv.incr('big'), 9_007_199_254_740_991);
      await assert.rejects(kv.incr('big'), RangeError);
      assert.equal(await kv.get('big'), '9007199254740991');
      await kv.set('huge', '9007199254740993');
      await assert.rejects(kv.incr('huge'), TypeError);
      await kv.set('long', '12345678901234567');
      await assert.rejects(kv.incr('long'), TypeError);
      await kv.set('neg', '-42');
      assert.equal(await kv.incr('neg', 2), -40);
    });

    it('a throwing handler is reported to onError and the others still get the message', async () => {
      const errors: string[] = [];
      const bus = new RedisEventBus({ client: a(), prefix: freshPrefix(), onError: (e, channel) => errors.push(`${channel}:${String(e)}`) });
      const got: string[] = [];
      await bus.subscribe('c', () => { throw new Error('boom'); });
      await bus.subscribe('c', (m) => { got.push(m); });
      await bus.publish('c', 'm');
      await waitFor(() => got.length === 1 && errors.length === 1, 'delivery and the report');
      assert.deepEqual(errors, ['c:Error: boom']);
      await bus.close();
      await assert.rejects(bus.publish('c', 'late'), /closed/);
    });

    it('rejects while Redis is down, and the same objects work again when it returns (subscriber included)', async () => {
      const own = await startRedisServer();
      const clock = new ManualClock(1_700_000_040_000);
      const eventErrors: unknown[] = [];
      const state = createRedisState({
        url: own.url,
        clock,
        prefix: freshPrefix(),
        commandTimeoutMs: 300,
        onConnectionError: quiet,
        onEventError: (e) => eventErrors.push(e),
      });
      try {
        assert.equal(state.kind, 'redis');
        await eventually(() => state.ping(), 'first connection');
        const got: string[] = [];
        await state.events.subscribe('cfg', (m) => { got.push(m); });
        await state.events.publish('cfg', 'v1');
        await waitFor(() => got.length === 1, 'the first message');
        assert.equal(await state.counters.hit('k', 1000), 1);
        await state.kv.set('ban', '1');

        await own.stop();
        const down = { name: 'RedisUnavailableError', code: 'state.unavailable', retryable: true };
        await assert.rejects(state.counters.hit('k', 1000), down);
        await assert.rejects(state.counters.peek('k', 1000), down);
        await assert.rejects(state.counters.reset('k'), down);
        await assert.rejects(state.kv.get('ban'), down);
        await assert.rejects(state.kv.ttl('ban'), down);
        await assert.rejects(state.kv.set('ban', '2'), down);
        await assert.rejects(state.kv.setIfAbsent('nonce', 'x', 1000), down);
        await assert.rejects(state.kv.incr('n'), down);
        await assert.rejects(state.kv.delete('ban'), down);
        await assert.rejects(state.events.publish('cfg', 'lost'), down);
        await assert.rejects(state.events.subscribe('other', quiet), down);
        await assert.rejects(state.counters.hit('k', 0), RangeError); // argument errors stay what they are
        assert.equal(await state.ping(), false);

        await own.restart(); // an empty server on the same port
        await eventually(() => state.ping(), 'reconnection');
        assert.equal(await state.counters.hit('k', 1000), 1);
        assert.equal(await state.kv.get('ban'), undefined);
        assert.equal(await state.kv.setIfAbsent('nonce', 'x', 1000), true);
        // The subscriber re-subscribed by itself: publish until the message comes through.
        await eventually(async () => {
          await state.events.publish('cfg', 'v2');
          return got.includes('v2');
        }, 'delivery after the reconnect');
        assert.deepEqual(got.filter((m) => m !== 'v2'), ['v1']);
        const other: string[] = [];
        await state.events.subscribe('other', (m) => { other.push(m); });
        await state.events.publish('other', 'o1');
        await waitFor(() => other.length === 1, 'a new subscription after the reconnect');
        assert.deepEqual(eventErrors, []);
      } finally {
        await state.close();
        await own.stop();
      }
      assert.equal(await state.ping(), false);
    });

    it('never prints the URL: connection warnings carry no password', async () => {
      const down = await startRedisServer();
      await down.stop();
      const warnings: string[] = [];
      const onWarning = (w: Error): void => { warnings.push(`${w.name}: ${w.message}`); };
      process.on('warning', onWarning);
      const state = createRedisState({ url: `redis://user:s3cret-pass@127.0.0.1:${down.port}/0`, prefix: freshPrefix() });
      try {
        await assert.rejects(state.counters.hit('k', 1000));
        await waitFor(() => warnings.some((w) => w.includes('RampartRedis')), 'a connection warning');
        assert.ok(warnings.every((w) => !w.includes('s3cret')), warnings.join('\n'));
      } finally {
        process.off('warning', onWarning);
        await state.close();
      }
    });
  });
}
