import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheKey, keyQuery, normalizeAcceptEncoding, variantKey, varyHeaderNames, parseCacheTags, hostPath } from './key.ts';

const parts = { zone: 'z1', scheme: 'HTTPS', host: 'Shop.Test:443', path: '/a/b', query: 'b=2&a=1&a=0' };

test('cacheKey: zone, scheme, normalised host, path, query modes', () => {
  assert.equal(cacheKey(parts), 'z1|https://shop.test/a/b?b=2&a=1&a=0');
  assert.equal(cacheKey(parts, { query: 'sorted' }), 'z1|https://shop.test/a/b?a=1&a=0&b=2');
  assert.equal(cacheKey(parts, { query: 'ignore' }), 'z1|https://shop.test/a/b');
  assert.equal(cacheKey({ ...parts, query: '' }), 'z1|https://shop.test/a/b');
  assert.notEqual(cacheKey(parts), cacheKey({ ...parts, zone: 'z2' }));
  assert.notEqual(cacheKey(parts), cacheKey({ ...parts, scheme: 'http' }));
  assert.equal(cacheKey({ ...parts, scheme: 'http', host: 'shop.test:80' }), 'z1|http://shop.test/a/b?b=2&a=1&a=0');
  assert.equal(cacheKey({ ...parts, host: 'shop.test:8443' }), 'z1|https://shop.test:8443/a/b?b=2&a=1&a=0');
  assert.equal(hostPath('Shop.test', 'https', '/x'), 'shop.test/x');
});

test('keyQuery: include / exclude named args (sorted, decoded names)', () => {
  assert.equal(keyQuery('utm_source=x&id=3&page=2', { excludeArgs: ['utm_source'] }), 'id=3&page=2');
  assert.equal(keyQuery('utm_source=x&id=3&page=2', { includeArgs: ['page', 'id'] }), 'id=3&page=2');
  assert.equal(keyQuery('%69d=1&x=2', { includeArgs: ['id'] }), '%69d=1');
  assert.equal(keyQuery('?a=1'), 'a=1');
});

test('normalizeAcceptEncoding picks the served encoding', () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'identity'], ['', 'identity'], ['gzip, deflate, br', 'br'], ['gzip, deflate, br, zstd', 'br'],
    ['gzip;q=1, br;q=0.5', 'gzip'], ['zstd, gzip;q=0.9', 'zstd'], ['deflate', 'identity'], ['*', 'br'],
    ['br;q=0, *', 'zstd'], ['x-gzip', 'gzip'], ['GZIP', 'gzip'], ['identity;q=0, gzip;q=0', 'identity'], ['br; q=0.8 , gzip ; q=0.9', 'gzip'],
  ];
  for (const [input, want] of cases) assert.equal(normalizeAcceptEncoding(input), want, String(input));
});

test('variantKey from Vary names', () => {
  const names = varyHeaderNames('Accept-Encoding, accept-language,Accept-Encoding');
  assert.deepEqual(names, ['accept-encoding', 'accept-language']);
  assert.equal(variantKey([], { 'accept-encoding': 'br' }), '');
  const a = variantKey(names, { 'accept-encoding': 'gzip, deflate, br', 'accept-language': 'en' });
  const b = variantKey(names, { 'accept-encoding': 'br;q=1, gzip', 'accept-language': 'en' });
  assert.equal(a, b);
  assert.notEqual(a, variantKey(names, { 'accept-encoding': 'gzip', 'accept-language': 'en' }));
  assert.notEqual(variantKey(['x-a'], {}), variantKey(['x-a'], { 'x-a': '' }));
});

test('parseCacheTags', () => {
  assert.deepEqual(parseCacheTags(' Product-1, all ,,product-1'), ['product-1', 'all']);
  assert.deepEqual(parseCacheTags(undefined), []);
});
