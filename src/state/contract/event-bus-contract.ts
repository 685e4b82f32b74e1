/**
 * Contract suite for EventBus. `make` returns a fresh bus; when the adapter connects several instances (processes,
 * nodes), `peer` is a second instance on the same backend and cross-instance delivery is tested too.
 * Pinned semantics: a subscriber receives messages published after `subscribe` resolved, in publish order per
 * publisher and channel, never messages of another channel; after `unsubscribe` resolves, nothing more; a handler
 * that throws does not stop delivery to other handlers. Delivery is waited for with a bound, never timed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventBus } from '../ports.ts';
import { waitFor } from './wait-for.ts';

export interface EventBusFixture {
  bus: EventBus;
  peer?: EventBus;
  close(): Promise<void>;
}

function recorder(): { got: string[]; handler: (m: string) => void } {
  const got: string[] = [];
  return { got, handler: (m) => { got.push(m); } };
}

export function eventBusContract(name: string, make: () => Promise<EventBusFixture>): void {
  const withBus = (fn: (f: EventBusFixture) => Promise<void>) => async () => {
    const f = await make();
    try {
      await fn(f);
    } finally {
      await f.close();
    }
  };

  describe(`EventBus contract: ${name}`, () => {
    it('delivers a message to every subscriber of the channel', withBus(async ({ bus }) => {
      const a = recorder();
      const b = recorder();
      await bus.subscribe('config', a.handler);
      await bus.subscribe('config', b.handler);
      await bus.publish('config', 'v42');
      await waitFor(() => a.got.length === 1 && b.got.length === 1, 'both subscribers');
      assert.deepEqual(a.got, ['v42']);
      assert.deepEqual(b.got, ['v42']);
    }));

    it('keeps publish order within a channel', withBus(async ({ bus }) => {
      const r = recorder();
      await bus.subscribe('purge', r.handler);
      const sent = Array.from({ length: 20 }, (_, i) => `url-${i}`);
      for (const m of sent) await bus.publish('purge', m);
      await waitFor(() => r.got.length === sent.length, 'all messages');
      assert.deepEqual(r.got, sent);
    }));

    it('does not leak between channels, even with a common prefix', withBus(async ({ bus }) => {
      const a = recorder();
      const ab = recorder();
      const b = recorder();
      await bus.subscribe('a', a.handler);
      await bus.subscribe('a:b', ab.handler);
      await bus.subscribe('b', b.handler);
      await bus.publish('b', 'to-b');
      await bus.publish('a:b', 'to-ab');
      await bus.publish('nobody', 'lost');
      await bus.publish('a', 'to-a');
      await waitFor(() => a.got.length >= 1 && ab.got.length >= 1 && b.got.length >= 1, 'each channel');
      // 'to-a' was published last, so anything leaking from earlier publishes would have arrived by now.
      assert.deepEqual(a.got, ['to-a']);
      assert.deepEqual(ab.got, ['to-ab']);
      assert.deepEqual(b.got, ['to-b']);
    }));

    it('stops delivering after unsubscribe', withBus(async ({ bus }) => {
      const gone = recorder();
      const stays = recorder();
      const unsubscribe = await bus.subscribe('switch', gone.handler);
      await bus.subscribe('switch', stays.handler);
      await bus.publish('switch', 'one');
      await waitFor(() => gone.got.length === 1 && stays.got.length === 1, 'first message');
      await unsubscribe();
      await bus.publish('switch', 'two');
      await bus.publish('switch', 'three');
      await waitFor(() => stays.got.length === 3, 'later messages');
      assert.deepEqual(gone.got, ['one']);
      assert.deepEqual(stays.got, ['one', 'two', 'three']);
      await unsubscribe(); // idempotent
    }));

    it('delivers only messages published after subscribing', withBus(async ({ bus }) => {
      await bus.publish('late', 'before');
      const r = recorder();
      await bus.subscribe('late', r.handler);
      await bus.publish('late', 'after');
      await waitFor(() => r.got.length >= 1, 'the later message');
      assert.deepEqual(r.got, ['after']);
    }));

    it('a throwing handler does not stop delivery to the others', withBus(async ({ bus }) => {
      const r = recorder();
      await bus.subscribe('x', () => { throw new Error('handler bug'); });
      await bus.subscribe('x', r.handler);
      await bus.publish('x', 'm1');
      await bus.publish('x', 'm2');
      await waitFor(() => r.got.length === 2, 'both messages');
      assert.deepEqual(r.got, ['m1', 'm2']);
    }));

    it('carries any string unchanged', withBus(async ({ bus }) => {
      const r = recorder();
      await bus.subscribe('raw', r.handler);
      const big = 'x'.repeat(64 * 1024);
      const sent = ['', 'ünïcödé 🚀', '{"json":[1,2]}', big];
      for (const m of sent) await bus.publish('raw', m);
      await waitFor(() => r.got.length === sent.length, 'all messages');
      assert.deepEqual(r.got, sent);
    }));

    it('delivers between instances on the same backend (when a peer is given)', withBus(async ({ bus, peer }) => {
      if (peer === undefined) return;
      const here = recorder();
      const there = recorder();
      await bus.subscribe('fleet', here.handler);
      await peer.subscribe('fleet', there.handler);
      await peer.publish('fleet', 'from-peer');
      await bus.publish('fleet', 'from-bus');
      await waitFor(() => here.got.length === 2 && there.got.length === 2, 'cross-instance delivery');
      assert.deepEqual(here.got, ['from-peer', 'from-bus']);
      assert.deepEqual(there.got, ['from-peer', 'from-bus']);
    }));
  });
}
