import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheStoreContract, sampleEntry } from './contract.ts';
import { MemoryCacheStore } from './memory-store.ts';

cacheStoreContract('memory', async (o) => ({ store: new MemoryCacheStore(o) }));

test('memory: insert keeps storedAt and refuses oversize bodies', async () => {
  const s = new MemoryCacheStore({ maxBytes: 10_000, maxEntryBytes: 10 });
  const meta = { ...sampleEntry(), storedAt: 42, size: 3 };
  assert.equal(s.insert(meta, Buffer.from('abc')), true);
  assert.equal(s.getSync(meta.key, '')?.meta.storedAt, 42);
  assert.equal(s.insert({ ...meta, size: 11 }, Buffer.alloc(11)), false);
  await s.close();
});
