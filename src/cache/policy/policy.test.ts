import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  decide, isStorable, parseCacheControl, freshnessLifetime, currentAge, isFresh, mergeNotModified, invalidationTargets,
  staleOnError, formatHttpDate, conditionalHeaders, withoutHeaders,
} from './index.ts';
import type { PolicyOptions, StoredResponse } from './index.ts';

const T0 = 1_700_000_000_000;
type Hdrs = Record<string, string>;

/** '@-N' / '@+N' → an HTTP date N seconds before/after T0. */
function expand(h: Hdrs | undefined): Hdrs {
  const out: Hdrs = { date: formatHttpDate(T0) };
  for (const [k, v] of Object.entries(h ?? {})) out[k] = /^@[-+]\d+$/.test(v) ? formatHttpDate(T0 + Number(v.slice(1)) * 1000) : v;
  return out;
}

interface DecideVector {
  name: string; method?: string; status?: number; bypass?: string; options?: PolicyOptions;
  stored?: Hdrs; request: Hdrs; elapsed: number;
  expect: { kind: string; reason?: string; stale?: boolean; conditional?: Hdrs; conditionalHas?: string };
}
const decideVectors = JSON.parse(readFileSync(new URL('../testdata/decide-vectors.json', import.meta.url), 'utf8')) as DecideVector[];

for (const v of decideVectors) {
  test(`decide: ${v.name}`, () => {
    const stored: StoredResponse | undefined = v.stored === undefined ? undefined
      : { status: v.status ?? 200, headers: expand(v.stored), requestTime: T0, responseTime: T0 };
    const d = decide({ method: v.method ?? 'GET', headers: v.request, stored, now: T0 + v.elapsed * 1000, options: v.options, bypass: v.bypass });
    assert.equal(d.kind, v.expect.kind, JSON.stringify(d));
    if (v.expect.reason !== undefined) assert.equal('reason' in d ? d.reason : undefined, v.expect.reason);
    if (v.expect.stale !== undefined) assert.equal(d.kind === 'HIT' && d.stale, v.expect.stale);
    if (v.expect.conditional !== undefined) assert.deepEqual('conditional' in d ? d.conditional : undefined, v.expect.conditional);
    if (v.expect.conditionalHas !== undefined) assert.ok('conditional' in d && v.expect.conditionalHas in d.conditional);
  });
}

interface StorableVector {
  name: string; method?: string; status?: number; statuses?: number[]; options?: PolicyOptions;
  request?: Hdrs; response: Hdrs; expect: true | string; strip?: string[];
}
const storableVectors = JSON.parse(readFileSync(new URL('../testdata/storable-vectors.json', import.meta.url), 'utf8')) as StorableVector[];
for (const v of storableVectors) {
  test(`isStorable: ${v.name}`, () => {
    for (const status of v.statuses ?? [v.status ?? 200]) {
      const r = isStorable({ method: v.method ?? 'GET', headers: v.request ?? {} }, { status, headers: v.response }, v.options);
      if (v.expect === true) {
        assert.ok(r.storable, `${status}: ${JSON.stringify(r)}`);
        if (v.strip !== undefined) assert.deepEqual([...r.strip].sort(), [...v.strip].sort());
      } else {
        assert.deepEqual(r, { storable: false, reason: v.expect });
      }
    }
  });
}

test('parseCacheControl: tokens, quoted strings, unknown directives, commas in quotes', () => {
  const cc = parseCacheControl('public, max-age=60 , foo="a, b", private="x-a, X-B", max-stale, ,');
  assert.equal(cc.maxAge, 60);
  assert.equal(cc.public, true);
  assert.equal(cc.directives.get('foo'), 'a, b');
  assert.deepEqual(cc.privateFields, ['x-a', 'x-b']);
  assert.equal(cc.private, false);
  assert.equal(cc.maxStale, Infinity);
  assert.equal(parseCacheControl('max-age=-5').maxAge, 0);
  assert.equal(parseCacheControl('max-age').maxAge, 0);
  assert.equal(parseCacheControl('max-age=99999999999999').maxAge, 2_147_483_648);
  assert.equal(parseCacheControl(undefined).directives.size, 0);
  assert.equal(parseCacheControl('no-cache').noCache, true);
});

test('freshnessLifetime sources', () => {
  const base = { status: 200, responseTime: T0 };
  assert.deepEqual(freshnessLifetime({ ...base, headers: expand({ 'cache-control': 's-maxage=5, max-age=9' }) }), { lifetime: 5, source: 's-maxage' });
  assert.deepEqual(freshnessLifetime({ ...base, headers: expand({ expires: '@+30' }) }), { lifetime: 30, source: 'expires' });
  // Expires relative to Date, not to the local clock: Date 100 s in the past, Expires 30 s after Date.
  assert.equal(freshnessLifetime({ ...base, headers: { date: formatHttpDate(T0 - 100_000), expires: formatHttpDate(T0 - 70_000) } }).lifetime, 30);
  // Missing Date: response time stands in.
  assert.equal(freshnessLifetime({ ...base, headers: { expires: formatHttpDate(T0 + 10_000) } }).lifetime, 10);
  assert.deepEqual(freshnessLifetime({ ...base, headers: expand({ 'last-modified': '@-500' }) }), { lifetime: 50, source: 'heuristic' });
  assert.deepEqual(freshnessLifetime({ ...base, status: 500, headers: expand({ 'last-modified': '@-500' }) }), { lifetime: 0, source: 'none' });
  assert.equal(freshnessLifetime({ ...base, status: 500, headers: expand({ 'last-modified': '@-500', 'cache-control': 'public' }) }).lifetime, 50);
});

test('currentAge per RFC 9111 §4.2.3', () => {
  // Request sent at T0, response at T0+2s, Date says T0-3s (origin clock behind), Age: 10.
  const r: StoredResponse = { status: 200, headers: { date: formatHttpDate(T0 - 3000), age: '10' }, requestTime: T0, responseTime: T0 + 2000 };
  // apparent_age = 5; corrected_age_value = 10 + 2 = 12; initial = 12; resident = 8 → 20.
  assert.equal(currentAge(r, T0 + 10_000), 20);
  // Date in the future: apparent age clamps at 0.
  const f: StoredResponse = { status: 200, headers: { date: formatHttpDate(T0 + 60_000) }, requestTime: T0, responseTime: T0 };
  assert.equal(currentAge(f, T0 + 1000), 1);
  assert.equal(isFresh({ ...f, headers: { ...f.headers, 'cache-control': 'max-age=2' } }, T0 + 1000), true);
  assert.equal(isFresh({ ...f, headers: { ...f.headers, 'cache-control': 'max-age=2' } }, T0 + 2000), false);
});

test('mergeNotModified updates fields but not Content-Length; a different strong ETag does not match', () => {
  const stored = { etag: '"v1"', 'content-length': '10', 'cache-control': 'max-age=1', 'x-keep': 'k', date: 'old' };
  const m = mergeNotModified(stored, { etag: '"v1"', 'cache-control': 'max-age=100', 'content-length': '0', date: 'new', 'x-new': 'n' });
  assert.ok(m.matched);
  assert.deepEqual(m.headers, { etag: '"v1"', 'content-length': '10', 'cache-control': 'max-age=100', 'x-keep': 'k', date: 'new', 'x-new': 'n' });
  assert.deepEqual(mergeNotModified(stored, { etag: '"v2"' }), { matched: false });
  assert.ok(mergeNotModified(stored, { etag: 'W/"v2"' }).matched);
  assert.ok(mergeNotModified({ etag: 'W/"v1"' }, { etag: '"v1"' }).matched);
  assert.deepEqual(conditionalHeaders({ etag: '"a"', 'last-modified': 'x' }), { 'if-none-match': '"a"', 'if-modified-since': 'x' });
});

test('invalidationTargets: unsafe method + non-error status, same-origin Location/Content-Location', () => {
  const u = 'https://shop.test/cart?x=1';
  assert.deepEqual(invalidationTargets('GET', 200, u, {}), []);
  assert.deepEqual(invalidationTargets('POST', 500, u, {}), []);
  assert.deepEqual(invalidationTargets('POST', 303, u, { location: '/cart/view', 'content-location': 'https://evil.test/x' }),
    ['https://shop.test/cart?x=1', 'https://shop.test/cart/view']);
  assert.deepEqual(invalidationTargets('DELETE', 204, u, { 'content-location': 'https://shop.test/item' }), [u, 'https://shop.test/item']);
  assert.deepEqual(invalidationTargets('PUT', 200, u, { location: 'http://shop.test/cart/view' }), [u]);
});

test('staleOnError: stale-if-error, Always Online, must-revalidate', () => {
  const mk = (cc: string): StoredResponse => ({ status: 200, headers: expand({ 'cache-control': cc }), requestTime: T0, responseTime: T0 });
  const at = (s: number): number => T0 + s * 1000;
  assert.deepEqual(staleOnError(mk('max-age=10, stale-if-error=60'), {}, at(50)), { serve: true, via: 'stale-if-error', staleness: 40 });
  assert.deepEqual(staleOnError(mk('max-age=10, stale-if-error=60'), {}, at(80)), { serve: false, reason: 'too-stale' });
  assert.equal(staleOnError(mk('max-age=10'), {}, at(80), { staleIfErrorSeconds: 100 }).serve, true);
  assert.equal(staleOnError(mk('max-age=10'), { 'cache-control': 'stale-if-error=100' }, at(80)).serve, true);
  const ao = staleOnError(mk('max-age=10'), {}, at(3600), { alwaysOnlineMaxStaleSeconds: 86400 });
  assert.ok(ao.serve && ao.via === 'always-online');
  assert.deepEqual(staleOnError(mk('max-age=10, must-revalidate'), {}, at(20), { alwaysOnlineMaxStaleSeconds: 86400 }), { serve: false, reason: 'must-revalidate' });
  assert.deepEqual(staleOnError(mk('max-age=100, no-cache'), {}, at(20)), { serve: false, reason: 'no-cache' });
  assert.equal(staleOnError(mk('max-age=100'), {}, at(20)).serve, true);
});

test('withoutHeaders drops hop-by-hop and Connection-named fields', () => {
  assert.deepEqual(withoutHeaders({ connection: 'close, x-hop', 'x-hop': '1', 'keep-alive': 't', 'transfer-encoding': 'chunked', a: 'b', 'set-cookie': ['c=1'] }, ['set-cookie']), { a: 'b' });
});

test('robustness: random header garbage never throws', () => {
  let seed = 12345;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const alphabet = 'max-age=s-maxage,no-cache"private;=\\ 0123456789,,"public stale-if-error must-revalidate\u00e9\t';
  const junk = (): string => Array.from({ length: rnd(40) }, () => alphabet[rnd(alphabet.length)]).join('');
  for (let i = 0; i < 2000; i++) {
    const headers = { 'cache-control': junk(), date: junk(), age: junk(), expires: junk(), 'last-modified': junk(), etag: junk(), vary: junk(), pragma: junk() };
    const cc = parseCacheControl(headers['cache-control']);
    assert.ok(cc.maxAge === undefined || (Number.isInteger(cc.maxAge) && cc.maxAge >= 0));
    const stored: StoredResponse = { status: 200, headers, requestTime: T0, responseTime: T0 };
    const d = decide({ method: 'GET', headers, stored, now: T0 + rnd(100_000) * 1000 });
    assert.ok(['HIT', 'STALE', 'REVALIDATE', 'MISS', 'UNAVAILABLE'].includes(d.kind));
    if ('timing' in d && d.timing !== undefined) assert.ok(Number.isFinite(d.timing.age) && d.timing.age >= 0);
    isStorable({ method: 'GET', headers }, { status: 200, headers });
    staleOnError(stored, headers, T0);
  }
});
