import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEntry, lookupEntry } from './entry.ts';
import { formatCacheStatus } from './cache-status.ts';
import { MemoryCacheStore } from './memory-store.ts';

const url = { zone: 'z1', scheme: 'https', host: 'Shop.test', path: '/p', query: 'b=1&a=2' };

test('buildEntry: key, variant, tags, stripped headers', () => {
  const e = buildEntry({
    url, keyOptions: { query: 'sorted' }, requestHeaders: { 'accept-encoding': 'gzip, br', 'accept-language': 'fr' },
    status: 200, responseHeaders: { vary: 'Accept-Encoding', 'cache-tag': 'A,b', connection: 'close', 'set-cookie': 'x=1', etag: '"1"' },
    requestTime: 1, responseTime: 2, strip: ['set-cookie'],
  });
  assert.equal(e.key, 'z1|https://shop.test/p?a=2&b=1');
  assert.equal(e.variant, 'accept-encoding=br');
  assert.deepEqual(e.vary, ['accept-encoding']);
  assert.deepEqual(e.tags, ['a', 'b']);
  assert.equal(e.host, 'shop.test');
  assert.equal(e.hostPath, 'shop.test/p');
  assert.deepEqual(e.headers, { vary: 'Accept-Encoding', etag: '"1"' });
});

test('lookupEntry selects the variant matching the request', async () => {
  const s = new MemoryCacheStore({ maxBytes: 1 << 20 });
  for (const ae of ['br', 'gzip']) {
    const e = buildEntry({ url, requestHeaders: { 'accept-encoding': ae }, status: 200, responseHeaders: { vary: 'accept-encoding' }, requestTime: 1, responseTime: 2 });
    const w = await s.createWriter(e);
    await w.write(Buffer.from(ae));
    await w.commit();
  }
  const key = 'z1|https://shop.test/p?b=1&a=2';
  assert.equal((await lookupEntry(s, key, { 'accept-encoding': 'gzip, deflate, br' }))?.meta.variant, 'accept-encoding=br');
  assert.equal((await lookupEntry(s, key, { 'accept-encoding': 'gzip' }))?.meta.variant, 'accept-encoding=gzip');
  assert.equal(await lookupEntry(s, key, {}), undefined, 'identity variant not stored: vary-miss');
  assert.equal(await lookupEntry(s, 'nope', {}), undefined);
  await s.close();
});

test('formatCacheStatus (RFC 9211)', () => {
  assert.equal(formatCacheStatus({ hit: true, ttl: 42.7 }), 'rampart; hit; ttl=42');
  assert.equal(formatCacheStatus({ fwd: 'uri-miss', fwdStatus: 200, stored: true, ttl: 60 }), 'rampart; fwd=uri-miss; fwd-status=200; ttl=60; stored');
  assert.equal(formatCacheStatus({ fwd: 'stale', collapsed: true, detail: 'always online' }), 'rampart; fwd=stale; collapsed; detail="always online"');
});
