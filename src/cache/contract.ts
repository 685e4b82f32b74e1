/**
 * The CacheStore contract suite: every adapter's test file calls `cacheStoreContract` with a factory.
 * Uses node:test; each test gets a fresh store and closes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CacheStore, NewCacheEntry } from '../state/cache-store.ts';

export interface ContractStoreOptions {
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
}

/** Creates a fresh, empty store; `dispose` (optional) removes what it left behind after `close()`. */
export type ContractFactory = (options: ContractStoreOptions) => Promise<{ store: CacheStore; dispose?: () => Promise<void> }>;

const BIG = { maxBytes: 10_000_000, maxEntryBytes: 1_000_000 };

export function sampleEntry(over: Partial<NewCacheEntry> = {}): NewCacheEntry {
  const host = over.host ?? 'shop.test';
  const path = '/a';
  return {
    key: `z1|https://${host}${path}`, variant: '', zone: 'z1', host, hostPath: `${host}${path}`, status: 200,
    headers: { 'content-type': 'text/plain', 'cache-control': 'max-age=60', 'set-cookie': ['a=1', 'b=2'] },
    vary: [], tags: [], requestTime: 1000, responseTime: 2000, ...over,
  };
}

async function put(store: CacheStore, e: NewCacheEntry, body: string | Buffer, chunk = 7): Promise<void> {
  const w = await store.createWriter(e);
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  for (let i = 0; i < b.length; i += chunk) await w.write(b.subarray(i, i + chunk));
  await w.commit();
}

async function readAll(s: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(parts).toString();
}

function entryAt(hostPath: string, over: Partial<NewCacheEntry> = {}): NewCacheEntry {
  const slash = hostPath.indexOf('/');
  const host = hostPath.slice(0, slash);
  return sampleEntry({ key: `${over.zone ?? 'z1'}|https://${hostPath}`, host, hostPath, ...over });
}

export function cacheStoreContract(name: string, factory: ContractFactory): void {
  const withStore = (title: string, fn: (s: CacheStore) => Promise<void>, opts: ContractStoreOptions = BIG): void => {
    test(`${name} contract: ${title}`, async () => {
      const { store, dispose } = await factory(opts);
      try { await fn(store); } finally { await store.close(); await dispose?.(); }
    });
  };

  withStore('write in chunks, commit, read back with metadata', async (s) => {
    const e = sampleEntry({ tags: ['t1'] });
    const w = await s.createWriter(e);
    await w.write(Buffer.from('hello '));
    assert.equal(await s.get(e.key, ''), undefined, 'invisible before commit');
    assert.deepEqual(await s.variants(e.key), []);
    await w.write(Buffer.from('world'));
    assert.equal(w.bytesWritten, 11);
    const meta = await w.commit();
    assert.equal(meta.size, 11);
    const got = await s.get(e.key, '');
    assert.ok(got);
    assert.equal(await readAll(got.body()), 'hello world');
    assert.equal(await readAll(got.body()), 'hello world', 'body can be read twice');
    assert.deepEqual(got.meta.headers, e.headers);
    assert.equal(got.meta.status, 200);
    assert.equal(got.meta.requestTime, 1000);
    assert.equal(got.meta.responseTime, 2000);
    assert.deepEqual(got.meta.tags, ['t1']);
    assert.equal(typeof got.meta.storedAt, 'number');
    assert.deepEqual((await s.stats()).entries, 1);
  });

  withStore('byte ranges and empty bodies', async (s) => {
    await put(s, sampleEntry(), '0123456789');
    const got = await s.get(sampleEntry().key, '');
    assert.ok(got);
    assert.equal(await readAll(got.body({ start: 2, end: 5 })), '2345');
    assert.equal(await readAll(got.body({ start: 9, end: 9 })), '9');
    await put(s, sampleEntry({ key: 'empty' }), '');
    const empty = await s.get('empty', '');
    assert.ok(empty);
    assert.equal(empty.meta.size, 0);
    assert.equal(await readAll(empty.body()), '');
  });

  withStore('abort leaves nothing; writer is single-use', async (s) => {
    const w = await s.createWriter(sampleEntry());
    await w.write(Buffer.from('partial'));
    await w.abort();
    await w.abort();
    assert.equal(await s.get(sampleEntry().key, ''), undefined);
    await assert.rejects(w.write(Buffer.from('x')), { code: 'CACHE_WRITER_CLOSED' });
    await assert.rejects(w.commit(), { code: 'CACHE_WRITER_CLOSED' });
    assert.equal((await s.stats()).entries, 0);
  });

  withStore('entry size limit rejects the write and stores nothing', async (s) => {
    const w = await s.createWriter(sampleEntry());
    await w.write(Buffer.alloc(60));
    await assert.rejects(w.write(Buffer.alloc(60)), { code: 'CACHE_ENTRY_TOO_LARGE' });
    await w.abort();
    assert.equal(await s.get(sampleEntry().key, ''), undefined);
  }, { maxBytes: 100_000, maxEntryBytes: 100 });

  withStore('a new commit replaces the same key + variant; variants are listed', async (s) => {
    await put(s, sampleEntry(), 'v1');
    await put(s, sampleEntry(), 'v2');
    await put(s, sampleEntry({ variant: 'accept-encoding=br', vary: ['accept-encoding'] }), 'brotli');
    const got = await s.get(sampleEntry().key, '');
    assert.ok(got);
    assert.equal(await readAll(got.body()), 'v2');
    const vs = await s.variants(sampleEntry().key);
    assert.deepEqual(vs.map((v) => v.variant).sort(), ['', 'accept-encoding=br']);
    assert.deepEqual(vs.find((v) => v.variant !== '')?.vary, ['accept-encoding']);
    assert.equal((await s.stats()).entries, 2);
  });

  withStore('concurrent writers for one key: both commit, last wins', async (s) => {
    const a = await s.createWriter(sampleEntry());
    const b = await s.createWriter(sampleEntry());
    await a.write(Buffer.from('aaa'));
    await b.write(Buffer.from('bbbb'));
    await b.commit();
    await a.commit();
    const got = await s.get(sampleEntry().key, '');
    assert.ok(got);
    assert.equal(await readAll(got.body()), 'aaa');
    assert.equal((await s.stats()).entries, 1);
  });

  withStore('updateMeta keeps the body', async (s) => {
    await put(s, sampleEntry(), 'body');
    assert.equal(await s.updateMeta(sampleEntry().key, '', { headers: { etag: '"n"' }, requestTime: 5, responseTime: 6 }), true);
    assert.equal(await s.updateMeta('nope', '', { headers: {}, requestTime: 5, responseTime: 6 }), false);
    const got = await s.get(sampleEntry().key, '');
    assert.ok(got);
    assert.deepEqual(got.meta.headers, { etag: '"n"' });
    assert.equal(got.meta.responseTime, 6);
    assert.equal(await readAll(got.body()), 'body');
  });

  withStore('delete one variant or all', async (s) => {
    await put(s, sampleEntry(), 'a');
    await put(s, sampleEntry({ variant: 'x' }), 'b');
    await put(s, sampleEntry({ variant: 'y' }), 'c');
    assert.equal(await s.delete(sampleEntry().key, 'x'), 1);
    assert.equal(await s.delete(sampleEntry().key, 'x'), 0);
    assert.equal(await s.delete(sampleEntry().key), 2);
    assert.equal((await s.stats()).entries, 0);
    assert.equal((await s.stats()).bytes, 0);
  });

  const fill = async (s: CacheStore): Promise<void> => {
    await put(s, entryAt('shop.test/static/app.js', { tags: ['static', 'js'] }), 'js');
    await put(s, entryAt('shop.test/static/app.js', { variant: 'br', tags: ['static', 'js'] }), 'js-br');
    await put(s, entryAt('shop.test/static/img/logo.png', { tags: ['static'] }), 'png');
    await put(s, entryAt('shop.test/Static/other.css'), 'css');
    await put(s, entryAt('shop.test/index.html', { tags: ['html'] }), 'html');
    await put(s, entryAt('blog.test/static/app.js', { zone: 'z2', tags: ['static'] }), 'blog');
    await put(s, entryAt('shop.testing/x', { tags: ['html'] }), 'other host');
  };
  const remaining = async (s: CacheStore): Promise<string[]> => {
    const keys = ['z1|https://shop.test/static/app.js', 'z1|https://shop.test/static/img/logo.png', 'z1|https://shop.test/Static/other.css',
      'z1|https://shop.test/index.html', 'z2|https://blog.test/static/app.js', 'z1|https://shop.testing/x'];
    const out: string[] = [];
    for (const k of keys) for (const v of await s.variants(k)) out.push(`${k.split('//')[1]}${v.variant === '' ? '' : `#${v.variant}`}`);
    return out.sort();
  };

  withStore('purge by keys (all variants)', async (s) => {
    await fill(s);
    assert.equal(await s.purge({ kind: 'keys', keys: ['z1|https://shop.test/static/app.js', 'missing'] }), 2);
    assert.deepEqual(await remaining(s), ['blog.test/static/app.js', 'shop.test/Static/other.css', 'shop.test/index.html', 'shop.test/static/img/logo.png', 'shop.testing/x']);
    assert.equal(await s.get('z1|https://shop.test/static/app.js', 'br'), undefined);
  });

  withStore('purge by prefix (case-sensitive path, scheme ignored, zone scope)', async (s) => {
    await fill(s);
    assert.equal(await s.purge({ kind: 'prefix', prefixes: ['https://SHOP.test/static/'] }), 3);
    assert.deepEqual(await remaining(s), ['blog.test/static/app.js', 'shop.test/Static/other.css', 'shop.test/index.html', 'shop.testing/x']);
    assert.equal(await s.purge({ kind: 'prefix', prefixes: ['blog.test/'], zone: 'z1' }), 0);
    assert.equal(await s.purge({ kind: 'prefix', prefixes: ['shop.test'] }), 3);
    assert.deepEqual(await remaining(s), ['blog.test/static/app.js']);
  });

  withStore('purge by tag (zone scope)', async (s) => {
    await fill(s);
    assert.equal(await s.purge({ kind: 'tags', tags: ['STATIC'], zone: 'z1' }), 3);
    assert.deepEqual(await remaining(s), ['blog.test/static/app.js', 'shop.test/Static/other.css', 'shop.test/index.html', 'shop.testing/x']);
    assert.equal(await s.purge({ kind: 'tags', tags: ['static', 'html'] }), 3);
    assert.deepEqual(await remaining(s), ['shop.test/Static/other.css']);
  });

  withStore('purge by host', async (s) => {
    await fill(s);
    assert.equal(await s.purge({ kind: 'hosts', hosts: ['Shop.Test'] }), 5);
    assert.deepEqual(await remaining(s), ['blog.test/static/app.js', 'shop.testing/x']);
  });

  withStore('purge everything, per zone and global', async (s) => {
    await fill(s);
    assert.equal(await s.purge({ kind: 'all', zone: 'z2' }), 1);
    assert.equal(await s.purge({ kind: 'all' }), 6);
    assert.deepEqual(await remaining(s), []);
    assert.deepEqual(await s.stats(), { entries: 0, bytes: 0 });
    await put(s, entryAt('shop.test/static/app.js', { tags: ['static'] }), 'again');
    assert.equal(await s.purge({ kind: 'tags', tags: ['static'] }), 1);
  });

  withStore('LRU eviction by bytes: least recently used goes first', async (s) => {
    const body = Buffer.alloc(10_000, 1);
    await put(s, sampleEntry({ key: 'A' }), body, 4096);
    await put(s, sampleEntry({ key: 'B' }), body, 4096);
    assert.ok(await s.get('A', ''));
    await put(s, sampleEntry({ key: 'C' }), body, 4096);
    assert.equal(await s.get('B', ''), undefined, 'B was least recently used');
    assert.ok(await s.get('A', ''));
    assert.ok(await s.get('C', ''));
    const st = await s.stats();
    assert.equal(st.entries, 2);
    assert.ok(st.bytes <= 25_000 && st.bytes >= 20_000, String(st.bytes));
  }, { maxBytes: 25_000, maxEntryBytes: 12_000 });
}
