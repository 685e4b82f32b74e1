import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEdgeCacheStore } from './edge-store.ts';
import { sampleEntry } from './contract.ts';
import { MemoryCacheStore } from './memory-store.ts';
import { TieredCacheStore } from './tiered-store.ts';

test('edge store: each opener takes its own w<N> slot; a closed slot is reused with its entries', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-edge-store-'));
  try {
    const a = await openEdgeCacheStore({ dir, memoryBytes: 1_000_000, diskBytes: 1_000_000 });
    const b = await openEdgeCacheStore({ dir, memoryBytes: 1_000_000, diskBytes: 1_000_000 });
    assert.equal(a.diskDir, join(dir, 'w0'));
    assert.equal(b.diskDir, join(dir, 'w1'));
    assert.ok(a.store instanceof TieredCacheStore);
    const w = await a.store.createWriter(sampleEntry({ key: 'k1' }));
    await w.write(Buffer.from('hello'));
    await w.commit();
    await a.store.close();
    const c = await openEdgeCacheStore({ dir, memoryBytes: 1_000_000, diskBytes: 1_000_000 });
    assert.equal(c.diskDir, join(dir, 'w0'));
    const hit = await c.store.get('k1', '');
    assert.ok(hit !== undefined);
    let body = '';
    for await (const x of hit.body()) body += String(x);
    assert.equal(body, 'hello');
    await b.store.close(); await c.store.close();
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('edge store: no dir or disk 0 → memory only; an unusable dir → memory only with the reason', async () => {
  assert.ok((await openEdgeCacheStore({})).store instanceof MemoryCacheStore);
  const dir = await mkdtemp(join(tmpdir(), 'rampart-edge-store-'));
  try {
    assert.ok((await openEdgeCacheStore({ dir, diskBytes: 0 })).store instanceof MemoryCacheStore);
    await writeFile(join(dir, 'a-file'), 'x');
    const bad = await openEdgeCacheStore({ dir: join(dir, 'a-file', 'cache'), diskBytes: 1000 });
    assert.ok(bad.store instanceof MemoryCacheStore);
    assert.ok(bad.diskProblem !== undefined && bad.diskProblem.length > 0);
  } finally { await rm(dir, { recursive: true, force: true }); }
});
