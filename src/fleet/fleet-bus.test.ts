import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryEventBus } from '../state/memory/index.ts';
import { waitFor } from '../state/contract/wait-for.ts';
import { FleetBus } from './fleet-bus.ts';
import type { PurgeSelector } from '../state/cache-store.ts';

describe('FleetBus', () => {
  it('a purge on a control plane runs on every live edge node and sums what they removed', async () => {
    const bus = new MemoryEventBus();
    const seen: Array<[string, PurgeSelector]> = [];
    const edge = (id: string, removed: number) => FleetBus.start({
      bus, nodeId: id, role: 'edge', helloMs: 50, describe: () => ({ version: 7, http: null }),
      purgeLocal: async (s) => { seen.push([id, s]); return removed; },
    });
    const e1 = await edge('e1', 3);
    const e2 = await edge('e2', 4);
    const control = await FleetBus.start({ bus, nodeId: 'c', role: 'control', helloMs: 50, describe: () => ({ version: 7, http: null }) });
    try {
      await waitFor(() => control.nodes().length === 3, 'three nodes heard');
      assert.deepEqual(control.nodes().map((n) => [n.id, n.role, n.version]), [['c', 'control', 7], ['e1', 'edge', 7], ['e2', 'edge', 7]]);
      const r = await control.purge({ kind: 'all', zone: 'z1' });
      assert.deepEqual({ removed: r.removed, nodes: r.nodes, missing: r.missing }, { removed: 7, nodes: 2, missing: [] });
      assert.deepEqual(seen.map(([id]) => id).sort(), ['e1', 'e2']);
      assert.deepEqual(seen[0]?.[1], { kind: 'all', zone: 'z1' });
      // an edge node that purges runs its own purge once and waits for the other
      seen.length = 0;
      const r2 = await e1.purge({ kind: 'all', zone: 'z1' });
      assert.deepEqual({ removed: r2.removed, nodes: r2.nodes }, { removed: 7, nodes: 2 });
      assert.deepEqual(seen.map(([id]) => id).sort(), ['e1', 'e2']);
    } finally {
      await Promise.all([e1.close(), e2.close(), control.close()]);
    }
  });

  it('names the nodes that did not answer, and gives up after the timeout', async () => {
    const bus = new MemoryEventBus();
    const silent = await FleetBus.start({ bus, nodeId: 'slow', role: 'edge', helloMs: 50, describe: () => ({ version: 1, http: null }), purgeLocal: () => new Promise(() => {}) });
    const control = await FleetBus.start({ bus, nodeId: 'c', role: 'control', helloMs: 50, ackTimeoutMs: 100, describe: () => ({ version: 1, http: null }) });
    try {
      await waitFor(() => control.nodes().some((n) => n.id === 'slow'), 'the slow node heard');
      const r = await control.purge({ kind: 'all', zone: 'z' });
      assert.deepEqual(r.missing, ['slow']);
      assert.equal(r.nodes, 0);
    } finally {
      await Promise.all([silent.close(), control.close()]);
    }
  });
});
