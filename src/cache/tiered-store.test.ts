import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheStoreContract, sampleEntry } from './contract.ts';
import { DiskCacheStore } from './disk-store.ts';
import { MemoryCacheStore } from './memory-store.ts';
import { TieredCacheStore } from './tiered-store.ts';

async function make(o: { maxBytes: number; maxEntryBytes: number }, memBytes = o.maxBytes): Promise<{ store: TieredCacheStore; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-tiered-'));
  const back = await DiskCacheStore.open({ dir, ...o });
  const memory = new MemoryCacheStore({ maxBytes: memBytes, maxEntryBytes: Math.min(o.maxEntryBytes, memBytes) });
  return { store: new TieredCacheStore({ memory, back }), dispose: () => rm(dir, { recursive: true, force: true }) };
}

cacheStoreContract('tiered', (o) => make(o));

async function readAll(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += String(c);
  return out;
}

test('tiered: big bodies live on disk only; disk hits are promoted to memory', async () => {
  const { store, dispose } = await make({ maxBytes: 1_000_000, maxEntryBytes: 100_000 }, 10_000);
  try {
    const big = await store.createWriter(sampleEntry({ key: 'big' }));
    await big.write(Buffer.alloc(50_000, 'b'));
    await big.commit();
    assert.equal(store.memory.getSync('big', ''), undefined);
    const got = await store.get('big', '');
    assert.ok(got);
    assert.equal((await readAll(got.body())).length, 50_000);

    const small = await store.createWriter(sampleEntry({ key: 'small' }));
    await small.write(Buffer.from('tiny'));
    await small.commit();
    assert.ok(store.memory.getSync('small', ''));
    await store.memory.purge({ kind: 'all' });
    assert.equal(store.memory.getSync('small', ''), undefined);
    const cold = await store.get('small', '');
    assert.ok(cold);
    assert.equal(await readAll(cold.body({ start: 1, end: 2 })), 'in');
    assert.ok(store.memory.getSync('small', ''), 'promoted');
    assert.equal(await store.purge({ kind: 'keys', keys: ['small'] }), 1);
    assert.equal(await store.get('small', ''), undefined);
    assert.equal(store.memory.getSync('small', ''), undefined);
  } finally {
    await store.close();
    await dispose();
  }
});

test('tiered: lookupEntry finds the Vary variant in memory or, when memory lost it, on disk', async () => {
  const { store, dispose } = await make({ maxBytes: 1_000_000, maxEntryBytes: 100_000 });
  try {
    const { buildEntry, lookupEntry } = await import('./entry.ts');
    const url = { zone: 'z', scheme: 'https', host: 'a.test', path: '/', query: '' };
    for (const ae of ['gzip', 'br']) {
      const w = await store.createWriter(buildEntry({ url, requestHeaders: { 'accept-encoding': ae }, status: 200, responseHeaders: { vary: 'accept-encoding' }, requestTime: 1, responseTime: 1 }));
      await w.write(Buffer.from(ae));
      await w.commit();
    }
    await store.memory.delete('z|https://a.test/', 'accept-encoding=gzip');
    const gz = await lookupEntry(store, 'z|https://a.test/', { 'accept-encoding': 'gzip' });
    assert.ok(gz);
    assert.equal(await readAll(gz.body()), 'gzip');
    await store.memory.purge({ kind: 'all' });
    const br = await lookupEntry(store, 'z|https://a.test/', { 'accept-encoding': 'br, gzip' });
    assert.ok(br);
    assert.equal(await readAll(br.body()), 'br');
  } finally {
    await store.close();
    await dispose();
  }
});

test('tiered: bodies past writeThroughMaxBytes are written to disk only, then promoted on their first hit', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-tiered-'));
  const back = await DiskCacheStore.open({ dir, maxBytes: 10_000_000 });
  const memory = new MemoryCacheStore({ maxBytes: 10_000_000, maxEntryBytes: 1_000_000 });
  const store = new TieredCacheStore({ memory, back, writeThroughMaxBytes: 1000 });
  try {
    const w = await store.createWriter(sampleEntry({ key: 'mid' }));
    await w.write(Buffer.alloc(5000, 'm'));
    await w.commit();
    assert.equal(memory.getSync('mid', ''), undefined, 'not written through');
    const hit = await store.get('mid', '');
    assert.equal(hit?.meta.size, 5000);
    assert.equal(memory.getSync('mid', '')?.meta.size, 5000, 'promoted on the first hit');
  } finally { await store.close(); await rm(dir, { recursive: true, force: true }); }
});
