import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coalescer, streamFanout } from './coalescer.ts';
import type { CoalescedResponse } from './coalescer.ts';
import { BodyBroadcast } from './body-broadcast.ts';

function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/** A manual timer: fire() runs every pending callback. */
function manualTimers(): { setTimer: (fn: () => void, ms: number) => () => void; fire(): void; pending(): number } {
  const fns = new Set<() => void>();
  return {
    setTimer: (fn) => { fns.add(fn); return () => fns.delete(fn); },
    fire: () => { const all = [...fns]; fns.clear(); for (const f of all) f(); },
    pending: () => fns.size,
  };
}

test('1,000 concurrent misses for one key make exactly one fetch; all get the value', async () => {
  const timers = manualTimers();
  const c = new Coalescer<string>({ timeoutMs: 1000, setTimer: timers.setTimer });
  let fetches = 0;
  const gate = deferred<string>();
  const fetch = (): Promise<string> => { fetches++; return gate.promise; };
  const all = Array.from({ length: 1000 }, () => c.run('k', fetch));
  assert.equal(c.waiting('k'), 999);
  gate.resolve('body');
  const results = await Promise.all(all);
  assert.equal(fetches, 1);
  assert.equal(results.filter((r) => r.role === 'leader').length, 1);
  assert.ok(results.every((r) => r.value === 'body'));
  assert.equal(c.inflight, 0);
  assert.equal(timers.pending(), 0, 'no timers left');
});

test('different keys fetch independently; a later miss after settle fetches again', async () => {
  const c = new Coalescer<number>({ timeoutMs: 1000 });
  let n = 0;
  const [a, b] = await Promise.all([c.run('a', async () => ++n), c.run('b', async () => ++n)]);
  assert.deepEqual([a.value, b.value].sort(), [1, 2]);
  assert.equal((await c.run('a', async () => ++n)).value, 3);
});

test('the leader error reaches every waiter; the key is free afterwards', async () => {
  const c = new Coalescer<string>({ timeoutMs: 1000 });
  const gate = deferred<string>();
  const p = [c.run('k', () => gate.promise), c.run('k', () => gate.promise), c.run('k', () => gate.promise)];
  const boom = new Error('origin down');
  gate.reject(boom);
  for (const r of await Promise.allSettled(p)) assert.deepEqual(r, { status: 'rejected', reason: boom });
  assert.equal(c.inflight, 0);
  assert.equal((await c.run('k', async () => 'ok')).role, 'leader');
});

test('a waiter that times out fetches by itself and does not get the leader result', async () => {
  const timers = manualTimers();
  const c = new Coalescer<string>({ timeoutMs: 10, setTimer: timers.setTimer });
  const gate = deferred<string>();
  const leader = c.run('k', () => gate.promise);
  const waiter = c.run('k', async () => 'own');
  timers.fire();
  assert.deepEqual(await waiter, { value: 'own', role: 'timeout' });
  assert.equal(c.waiting('k'), 0);
  gate.resolve('lead');
  assert.deepEqual(await leader, { value: 'lead', role: 'leader' });
  assert.equal(c.inflight, 0);
});

async function collect(it: AsyncIterable<Uint8Array>): Promise<string> {
  let s = '';
  for await (const c of it) s += Buffer.from(c).toString();
  return s;
}

async function* chunks(parts: string[], fail?: Error): AsyncGenerator<Uint8Array> {
  for (const p of parts) { await Promise.resolve(); yield Buffer.from(p); }
  if (fail !== undefined) throw fail;
}

test('streamed fan-out: every caller reads the whole body from one origin stream', async () => {
  const c = new Coalescer<CoalescedResponse>({ timeoutMs: 1000, fanout: streamFanout(1 << 20) });
  let fetches = 0;
  const gate = deferred<void>();
  const fetch = async (): Promise<CoalescedResponse> => {
    fetches++;
    await gate.promise;
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: chunks(['a', 'b', 'c', 'd']) };
  };
  const calls = Array.from({ length: 5 }, () => c.run('k', fetch));
  gate.resolve();
  const res = await Promise.all(calls);
  assert.equal(fetches, 1);
  const bodies = await Promise.all(res.map((r) => collect(r.value.body)));
  assert.deepEqual(bodies, ['abcd', 'abcd', 'abcd', 'abcd', 'abcd']);
  assert.ok(res.every((r) => r.value.status === 200));
});

test('streamed fan-out: a source error reaches every reader', async () => {
  const c = new Coalescer<CoalescedResponse>({ timeoutMs: 1000, fanout: streamFanout(1 << 20) });
  const boom = new Error('reset');
  const fetch = async (): Promise<CoalescedResponse> => ({ status: 200, headers: {}, body: chunks(['a', 'b'], boom) });
  const res = await Promise.all([c.run('k', fetch), c.run('k', fetch)]);
  for (const r of res) await assert.rejects(collect(r.value.body), boom);
});

test('BodyBroadcast: a laggard beyond the buffer bound is cut off, the fast reader goes on, memory is released', async () => {
  const b = new BodyBroadcast(chunks(['aaaa', 'bbbb', 'cccc', 'dddd']), 8);
  const fast = b.subscribe();
  const slow = b.subscribe();
  b.seal();
  assert.equal(await collect(fast), 'aaaabbbbccccdddd');
  await assert.rejects(slow.next(), { code: 'CACHE_COALESCE_OVERFLOW' });
  assert.equal(b.bufferedBytes, 0);
});

test('BodyBroadcast: when every reader breaks off the source is released', async () => {
  let released = false;
  async function* src(): AsyncGenerator<Uint8Array> {
    try { for (;;) { await Promise.resolve(); yield Buffer.from('x'); } } finally { released = true; }
  }
  const b = new BodyBroadcast(src(), 1024);
  const r1 = b.subscribe();
  const r2 = b.subscribe();
  b.seal();
  await r1.next();
  await r2.next();
  await r1.return?.();
  assert.equal(released, false);
  await r2.return?.();
  await new Promise((r) => setImmediate(r));
  assert.equal(released, true);
  assert.equal(b.bufferedBytes, 0);
});
