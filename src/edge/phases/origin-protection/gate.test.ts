import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OriginGate } from './gate.ts';
import type { GateRefusal, Release } from './gate.ts';

const L = { max: 2, queue: 1, timeoutMs: 60_000 };

test('max slots at once, then a bounded FIFO queue, then refusal; release hands the slot on', async () => {
  const g = new OriginGate();
  const a = g.enter('z', L);
  const b = g.enter('z', L);
  assert.equal(typeof a, 'function');
  assert.equal(typeof b, 'function');
  assert.equal(g.inflight('z'), 2);
  const c = g.enter('z', L);
  assert.ok(c instanceof Promise);
  assert.equal(g.queued('z'), 1);
  assert.equal(g.enter('z', L), 'queue_full');
  assert.equal(typeof g.enter('other', L), 'function', 'zones are independent');
  (a as Release)();
  const got = await c;
  assert.equal(typeof got, 'function');
  assert.equal(g.inflight('z'), 2, 'the slot passed to the waiter');
  (a as Release)(); // idempotent
  assert.equal(g.inflight('z'), 2);
  (b as Release)(); (got as Release)();
  assert.equal(g.inflight('z'), 0);
});

test('a waiter leaves on timeout or when its client goes away', async () => {
  const g = new OriginGate();
  const hold = g.enter('z', { max: 1, queue: 5, timeoutMs: 20 }) as Release;
  const t = await g.enter('z', { max: 1, queue: 5, timeoutMs: 20 });
  assert.equal(t, 'queue_timeout');
  let cancel: (() => void) | undefined;
  const p = g.enter('z', { max: 1, queue: 5, timeoutMs: 60_000 }, (c) => { cancel = c; }) as Promise<Release | GateRefusal>;
  cancel!();
  assert.equal(await p, 'client_gone');
  assert.equal(g.queued('z'), 0);
  hold();
  assert.equal(g.inflight('z'), 0);
});

test('max 0 is no cap; queue 0 refuses at once', () => {
  const g = new OriginGate();
  for (let i = 0; i < 100; i++) assert.equal(typeof g.enter('z', { max: 0, queue: 0, timeoutMs: 0 }), 'function');
  assert.equal(typeof g.enter('y', { max: 1, queue: 0, timeoutMs: 1000 }), 'function');
  assert.equal(g.enter('y', { max: 1, queue: 0, timeoutMs: 1000 }), 'queue_full');
});
