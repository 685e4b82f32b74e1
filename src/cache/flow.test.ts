// The pieces used together as the edge will: miss → store → hit → expiry → 304 revalidation → stale-if-error →
// invalidation by an unsafe method. Fake time throughout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../lib/clock.ts';
import {
  MemoryCacheStore, buildEntry, cacheKey, decide, formatHttpDate, hitHeaders, invalidationTargets, isStorable, keyForUrl,
  lookupEntry, freshenEntry, staleOnError, serveRange,
} from './index.ts';

async function text(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += String(c);
  return out;
}

test('edge flow on the library', async () => {
  const clock = new ManualClock();
  const store = new MemoryCacheStore({ maxBytes: 1 << 20, clock });
  const url = { zone: 'z', scheme: 'https', host: 'shop.test', path: '/item', query: '' };
  const key = cacheKey(url);
  const req = { method: 'GET', headers: { 'accept-encoding': 'br' } };
  const options = { staleIfErrorSeconds: 300 };

  // 1. Miss, origin answers, response stored while "sent".
  let hit = await lookupEntry(store, key, req.headers);
  assert.equal(decide({ ...req, stored: hit?.meta, now: clock.now() }).kind, 'MISS');
  const t0 = clock.now();
  const res = { status: 200, headers: { date: formatHttpDate(t0), 'cache-control': 'max-age=60', etag: '"v1"', vary: 'Accept-Encoding', 'cache-tag': 'items' } };
  const st = isStorable(req, res, options);
  assert.ok(st.storable);
  const w = await store.createWriter(buildEntry({ url, requestHeaders: req.headers, ...res, responseHeaders: res.headers, requestTime: t0, responseTime: t0, strip: st.strip }));
  for (const part of ['he', 'llo']) await w.write(Buffer.from(part));
  await w.commit();

  // 2. Hit 30 s later, with Age and a range.
  clock.advance(30_000);
  hit = await lookupEntry(store, key, { 'accept-encoding': 'gzip, br' });
  assert.ok(hit);
  const d = decide({ ...req, stored: hit.meta, now: clock.now(), options });
  assert.equal(d.kind, 'HIT');
  assert.equal(hitHeaders(hit.meta, clock.now()).age, '30');
  const r = serveRange(hit.meta, 'bytes=1-3');
  assert.ok(r.kind === 'partial');
  assert.equal(await text(hit.body(r.range)), 'ell');

  // 3. Expired: revalidate; the origin says 304 with a new max-age.
  clock.advance(40_000);
  const d2 = decide({ ...req, stored: hit.meta, now: clock.now(), options });
  assert.ok(d2.kind === 'REVALIDATE');
  assert.deepEqual(d2.conditional, { 'if-none-match': '"v1"' });
  assert.equal(await freshenEntry(store, hit.meta, { etag: '"v2"' }, clock.now(), clock.now()), undefined, 'other representation');
  const merged = await freshenEntry(store, hit.meta, { date: formatHttpDate(clock.now()), 'cache-control': 'max-age=120', etag: '"v1"' }, clock.now(), clock.now());
  assert.equal(merged?.['cache-control'], 'max-age=120');
  hit = await lookupEntry(store, key, req.headers);
  assert.ok(hit);
  assert.equal(decide({ ...req, stored: hit.meta, now: clock.now() + 100_000 }).kind, 'HIT');
  assert.equal(await text(hit.body()), 'hello');

  // 4. Origin down 200 s after expiry: stale-if-error (zone default 300 s) allows the stale copy.
  clock.advance(320_000);
  assert.deepEqual(staleOnError(hit.meta, req.headers, clock.now(), options), { serve: true, via: 'stale-if-error', staleness: 200 });

  // 5. A POST to the URL invalidates it.
  const targets = invalidationTargets('POST', 200, 'https://shop.test/item', {});
  const keys = targets.map((t) => keyForUrl('z', t)).filter((k) => k !== undefined);
  assert.deepEqual(keys, [key]);
  assert.equal(await store.purge({ kind: 'keys', keys }), 1);
  assert.equal(await lookupEntry(store, key, req.headers), undefined);
  await store.close();
});
