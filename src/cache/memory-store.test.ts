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

test('memory: lookupSync picks the Vary variant of the request and exposes the body bytes', async () => {
  const s = new MemoryCacheStore({ maxBytes: 100_000 });
  const put = (variant: string, body: string): void => { s.insert({ ...sampleEntry({ key: 'k', variant, vary: ['accept-encoding'] }), storedAt: 1, size: body.length }, Buffer.from(body)); };
  put('accept-encoding=br', 'brotli');
  put('accept-encoding=identity', 'plain');
  assert.equal(s.lookupSync('k', { 'accept-encoding': 'gzip, br' })?.buffer.toString(), 'brotli');
  assert.equal(s.lookupSync('k', {})?.buffer.toString(), 'plain');
  assert.equal(s.lookupSync('k', { 'accept-encoding': 'gzip' }), undefined);
  assert.equal(s.lookupSync('nope', {}), undefined);
  s.insert({ ...sampleEntry({ key: 'plain' }), storedAt: 1, size: 1 }, Buffer.from('x'));
  assert.equal(s.lookupSync('plain', { 'accept-encoding': 'br' })?.buffer.toString(), 'x');
  await s.close();
});
