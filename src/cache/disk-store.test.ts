import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readdir, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cacheStoreContract, sampleEntry } from './contract.ts';
import { DiskCacheStore } from './disk-store.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'rampart-cache-'));
}

cacheStoreContract('disk', async (o) => {
  const dir = await tempDir();
  return { store: await DiskCacheStore.open({ dir, ...o }), dispose: () => rm(dir, { recursive: true, force: true }) };
});

async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(parts);
}

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n++;
  return n;
}

test('disk: entries, tags and LRU order survive a restart', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  let s = await DiskCacheStore.open({ dir, maxBytes: 25_000, maxEntryBytes: 12_000 });
  for (const key of ['A', 'B']) {
    const w = await s.createWriter(sampleEntry({ key, tags: ['t'] }));
    await w.write(Buffer.alloc(10_000, key));
    await w.commit();
  }
  assert.ok(await s.get('A', ''));
  await s.close();
  s = await DiskCacheStore.open({ dir, maxBytes: 25_000, maxEntryBytes: 12_000 });
  assert.equal((await s.stats()).entries, 2);
  const w = await s.createWriter(sampleEntry({ key: 'C' }));
  await w.write(Buffer.alloc(10_000, 'C'));
  await w.commit();
  assert.equal(await s.get('B', ''), undefined, 'B evicted: A was touched before the restart');
  const a = await s.get('A', '');
  assert.ok(a);
  assert.equal((await readAll(a.body())).toString(), 'A'.repeat(10_000));
  assert.equal(await s.purge({ kind: 'tags', tags: ['t'] }), 1);
  assert.equal(await countFiles(join(dir, 'body')), 1, 'only C left on disk');
  await s.close();
});

test('disk: a large body streams in chunks both ways', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const s = await DiskCacheStore.open({ dir, maxBytes: 64 << 20, maxEntryBytes: 16 << 20 });
  const w = await s.createWriter(sampleEntry());
  const h = createHash('sha256');
  for (let i = 0; i < 128; i++) {
    const chunk = Buffer.alloc(64 * 1024, i);
    h.update(chunk);
    await w.write(chunk);
  }
  await w.commit();
  const got = await s.get(sampleEntry().key, '');
  assert.ok(got);
  assert.equal(got.meta.size, 8 << 20);
  const h2 = createHash('sha256');
  let chunks = 0;
  for await (const c of got.body()) { h2.update(c as Buffer); chunks++; }
  assert.equal(h2.digest('hex'), h.digest('hex'));
  assert.ok(chunks > 1, 'read as a stream, not one buffer');
  await s.close();
});

test('disk: open removes temp files and unindexed bodies, drops rows whose body vanished', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  let s = await DiskCacheStore.open({ dir, maxBytes: 1_000_000 });
  for (const key of ['keep', 'lose']) {
    const w = await s.createWriter(sampleEntry({ key }));
    await w.write(Buffer.from(key));
    await w.commit();
  }
  await s.close();
  // A half-written temp file, an orphan body (crash between rename and index), and a body deleted by hand.
  await writeFile(join(dir, 'tmp', 'deadbeef'), 'half');
  await mkdir(join(dir, 'body', 'ff'), { recursive: true });
  await writeFile(join(dir, 'body', 'ff', 'ff00orphan'), 'orphan');
  const files = (await readdir(join(dir, 'body'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  assert.equal(files.length, 3);
  s = await DiskCacheStore.open({ dir, maxBytes: 1_000_000 });
  const lose = await s.variants('lose');
  assert.equal(lose.length, 1);
  await s.close();
  // Remove the 'lose' body by hand.
  const db = await import('node:sqlite');
  const d = new db.DatabaseSync(join(dir, 'index.sqlite'));
  const row = d.prepare("SELECT id FROM entries WHERE key = 'lose'").get();
  d.close();
  const id = String(row?.['id']);
  await rm(join(dir, 'body', id.slice(0, 2), id));
  s = await DiskCacheStore.open({ dir, maxBytes: 1_000_000 });
  assert.deepEqual(await readdir(join(dir, 'tmp')), []);
  assert.equal(await countFiles(join(dir, 'body')), 1);
  assert.equal(await s.get('lose', ''), undefined);
  const keep = await s.get('keep', '');
  assert.ok(keep);
  assert.equal((await readAll(keep.body())).toString(), 'keep');
  assert.deepEqual(await s.stats(), { entries: 1, bytes: (await s.stats()).bytes });
  assert.equal((await s.stats()).entries, 1);
  await s.close();
});

test('disk: a process SIGKILLed mid-write leaves only committed entries', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [new URL('./testdata/disk-writer-child.ts', import.meta.url).pathname, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('READY')) resolve(); });
    child.on('exit', () => reject(new Error(`child exited early: ${out}`)));
  });
  assert.equal((await readdir(join(dir, 'tmp'))).length, 1, 'the partial body is in tmp/');
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  const s = await DiskCacheStore.open({ dir, maxBytes: 10_000_000 });
  const c = await s.get('committed', '');
  assert.ok(c);
  assert.equal((await readAll(c.body())).toString(), 'complete body');
  assert.equal(await s.get('partial', ''), undefined);
  assert.deepEqual(await readdir(join(dir, 'tmp')), []);
  assert.equal((await s.stats()).entries, 1);
  await s.close();
});

test('disk: a purged entry being read keeps streaming; a closed store refuses work', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const s = await DiskCacheStore.open({ dir, maxBytes: 10_000_000, maxEntryBytes: 1_000_000 });
  const w = await s.createWriter(sampleEntry());
  await w.write(Buffer.alloc(300_000, 1));
  await w.commit();
  const got = await s.get(sampleEntry().key, '');
  assert.ok(got);
  const stream = got.body();
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.done, false);
  assert.equal(await s.purge({ kind: 'all' }), 1);
  let n = (first.value as Buffer).length;
  for (let r = await it.next(); r.done !== true; r = await it.next()) n += (r.value as Buffer).length;
  assert.equal(n, 300_000);
  await s.close();
  await assert.rejects(s.createWriter(sampleEntry()), { code: 'CACHE_STORE_CLOSED' });
});

test('disk: one store per directory (lock), taken over from a dead owner', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const s = await DiskCacheStore.open({ dir, maxBytes: 1_000_000 });
  await assert.rejects(DiskCacheStore.open({ dir, maxBytes: 1_000_000 }), { code: 'CACHE_STORE_LOCKED' });
  await s.close();
  await writeFile(join(dir, 'lock'), '999999999');
  const again = await DiskCacheStore.open({ dir, maxBytes: 1_000_000 });
  await again.close();
});
