import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CacheRuleSchema, compilePathPattern, foldCacheRules, NO_CACHE_RULE } from './cache-rule.ts';
import { clientNotModified } from './policy/client-conditional.ts';

test('path patterns: * matches any run of characters, the rest is literal', () => {
  const cases: [string, string, boolean][] = [
    ['/static/*', '/static/app.js', true], ['/static/*', '/static/', true], ['/static/*', '/stat', false], ['/static/*', '/other/static/x', false],
    ['*.jpg', '/a/b.jpg', true], ['*.jpg', '/a/b.jpeg', false], ['/a/*/c', '/a/b/c', true], ['/a/*/c', '/a/c', false],
    ['/exact', '/exact', true], ['/exact', '/exact/', false], ['/a*b*c', '/abc', true], ['/a*b*c', '/acb', false], ['/x.*', '/x.y', true], ['/x.*', '/xay', false],
  ];
  for (const [pat, path, want] of cases) assert.equal(compilePathPattern(pat)(path), want, `${pat} ~ ${path}`);
});

test('matching rules fold in order: later set fields override, unset ones keep earlier values', () => {
  assert.equal(foldCacheRules([]), NO_CACHE_RULE);
  const r = (o: Record<string, unknown>) => CacheRuleSchema.parse({ path: '/', ...o });
  const out = foldCacheRules([r({ id: 'a', action: 'cache_everything', edge_ttl: 60, browser_ttl: 10 }), r({ id: 'b', edge_ttl: 120 }), r({ id: 'c', action: 'bypass' })]);
  assert.deepEqual(out, { action: 'bypass', edgeTtl: 120, browserTtl: 10, cacheKey: undefined, matched: ['a', 'b', 'c'] });
  assert.throws(() => CacheRuleSchema.parse({ id: 'x', action: 'bypass' }), /expression or a path/);
});

test('client conditionals against a stored response', () => {
  const stored = { etag: '"v1"', 'last-modified': 'Mon, 02 Nov 2026 10:00:00 GMT' };
  assert.equal(clientNotModified({ 'if-none-match': '"v1"' }, stored), true);
  assert.equal(clientNotModified({ 'if-none-match': 'W/"v1"' }, stored), true, 'weak comparison');
  assert.equal(clientNotModified({ 'if-none-match': '"v0", "v1"' }, stored), true);
  assert.equal(clientNotModified({ 'if-none-match': '*' }, stored), true);
  assert.equal(clientNotModified({ 'if-none-match': '"v2"', 'if-modified-since': 'Tue, 03 Nov 2026 10:00:00 GMT' }, stored), false, 'If-None-Match wins');
  assert.equal(clientNotModified({ 'if-modified-since': 'Tue, 03 Nov 2026 10:00:00 GMT' }, stored), true);
  assert.equal(clientNotModified({ 'if-modified-since': 'Sun, 01 Nov 2026 10:00:00 GMT' }, stored), false);
  assert.equal(clientNotModified({ 'if-modified-since': 'garbage' }, stored), false);
  assert.equal(clientNotModified({}, stored), false);
  assert.equal(clientNotModified({ 'if-none-match': '"v1"' }, {}), false);
});
