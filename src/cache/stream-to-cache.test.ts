import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheWhileStreaming } from './stream-to-cache.ts';
import { MemoryCacheStore } from './memory-store.ts';
import { sampleEntry } from './contract.ts';

async function* src(parts: string[], fail?: Error): AsyncGenerator<Uint8Array> {
  for (const p of parts) { await Promise.resolve(); yield Buffer.from(p); }
  if (fail !== undefined) throw fail;
}

async function drain(it: AsyncIterable<Uint8Array>): Promise<string> {
  let s = '';
  for await (const c of it) s += Buffer.from(c).toString();
  return s;
}

test('the client gets every chunk and the entry is committed at the end', async () => {
  const s = new MemoryCacheStore({ maxBytes: 1 << 20 });
  let committed = 0;
  const w = await s.createWriter(sampleEntry());
  assert.equal(await drain(cacheWhileStreaming(src(['ab', 'cd']), w, { expectedLength: 4, onCommit: (m) => { committed = m.size; } })), 'abcd');
  assert.equal(committed, 4);
  assert.ok(await s.get(sampleEntry().key, ''));
});

test('origin error: the client sees it, nothing is stored', async () => {
  const s = new MemoryCacheStore({ maxBytes: 1 << 20 });
  const w = await s.createWriter(sampleEntry());
  const boom = new Error('reset');
  const reasons: unknown[] = [];
  await assert.rejects(drain(cacheWhileStreaming(src(['ab'], boom), w, { onAbort: (r) => reasons.push(r) })), boom);
  assert.deepEqual(reasons, [boom]);
  assert.equal(await s.get(sampleEntry().key, ''), undefined);
});

test('client gone early: nothing is stored', async () => {
  const s = new MemoryCacheStore({ maxBytes: 1 << 20 });
  const w = await s.createWriter(sampleEntry());
  const reasons: unknown[] = [];
  for await (const c of cacheWhileStreaming(src(['ab', 'cd', 'ef']), w, { onAbort: (r) => reasons.push(r) })) { void c; break; }
  assert.deepEqual(reasons, ['consumer stopped']);
  assert.equal(await s.get(sampleEntry().key, ''), undefined);
});

test('too large for the cache: the client still gets everything; length mismatch is not stored', async () => {
  const s = new MemoryCacheStore({ maxBytes: 1 << 20, maxEntryBytes: 3 });
  const w = await s.createWriter(sampleEntry());
  const reasons: unknown[] = [];
  assert.equal(await drain(cacheWhileStreaming(src(['ab', 'cd', 'ef']), w, { onAbort: (r) => reasons.push(r) })), 'abcdef');
  assert.equal((reasons[0] as { code?: string }).code, 'CACHE_ENTRY_TOO_LARGE');
  assert.equal(reasons.length, 1);
  const w2 = await s.createWriter(sampleEntry());
  const r2: unknown[] = [];
  assert.equal(await drain(cacheWhileStreaming(src(['ab']), w2, { expectedLength: 5, onAbort: (r) => r2.push(r) })), 'ab');
  assert.deepEqual(r2, ['length mismatch']);
  assert.equal(await s.get(sampleEntry().key, ''), undefined);
});
