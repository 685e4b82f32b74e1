import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../lib/clock.ts';
import { waitFor } from './contract/index.ts';
import { createLocalState } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'rampart-state-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('createLocalState', () => {
  for (const kind of ['memory', 'sqlite'] as const) {
    it(`${kind}: wires counters, key-value and events on the given clock`, async () => {
      const clock = new ManualClock(1_700_000_000_000);
      const state = createLocalState({ kind, path: join(dir, `${kind}.sqlite`), clock, pollIntervalMs: 5, onEventError: () => {} });
      assert.equal(state.kind, kind);
      assert.equal(await state.counters.hit('rl:x', 1000, 3), 3);
      await state.kv.set('ban:x', '1', 1000);
      clock.advance(1000);
      assert.equal(await state.kv.get('ban:x'), undefined);
      const got: string[] = [];
      await state.events.subscribe('config', (m) => got.push(m));
      await state.events.publish('config', 'v2');
      await waitFor(() => got.length === 1, 'the event');
      assert.deepEqual(got, ['v2']);
      await state.close();
    });
  }

  it('sqlite: two instances on one path share state (as two worker processes would)', async () => {
    const path = join(dir, 'shared.sqlite');
    const clock = new ManualClock(1_700_000_000_000);
    const a = createLocalState({ kind: 'sqlite', path, clock, pollIntervalMs: 5 });
    const b = createLocalState({ kind: 'sqlite', path, clock, pollIntervalMs: 5 });
    await a.counters.hit('k', 60_000);
    assert.equal(await b.counters.hit('k', 60_000), 2);
    assert.equal(await a.kv.setIfAbsent('nonce', 'a'), true);
    assert.equal(await b.kv.setIfAbsent('nonce', 'b'), false);
    const got: string[] = [];
    await b.events.subscribe('purge', (m) => got.push(m));
    await a.events.publish('purge', '/img/*');
    await waitFor(() => got.length === 1, 'the event in the other instance');
    assert.deepEqual(got, ['/img/*']);
    await a.close();
    await b.close();
    await b.close(); // idempotent
  });

  it('sqlite without a path is a TypeError', () => {
    assert.throws(() => createLocalState({ kind: 'sqlite' }), TypeError);
  });
});
