import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

let node: TestNode;
let origin: TestOrigin;
let zid: string;
before(async () => {
  node = await startTestNode();
  origin = await startOrigin();
  zid = (await node.addZone('cache.test', [origin.address])).id;
});
after(async () => { await node.stop(); await origin.close(); });

const status = async (p: string, h: Record<string, string> = {}): Promise<{ s: number; c: string; age: string; text: string; headers: Record<string, unknown> }> => {
  const r = await node.get('cache.test', p, { headers: h });
  return { s: r.status, c: String(r.headers['rampart-cache-status']), age: String(r.headers['age']), text: r.text, headers: r.headers };
};

test('a cacheable response is stored and served from the cache with Age; the origin is asked once', async () => {
  const a = await status('/a?max_age=60');
  const b = await status('/a?max_age=60');
  assert.equal(a.c, 'MISS');
  assert.equal(b.c, 'HIT');
  assert.equal(b.text, a.text);
  assert.match(b.age, /^\d+$/);
  assert.equal(origin.hits('/a'), 1);
});

test('private, no-store, Set-Cookie and unsafe methods are not stored', async () => {
  for (const p of ['/p?header_cache-control=private%2C%20max-age%3D60', '/n?header_cache-control=no-store', '/c?max_age=60&header_set-cookie=s%3D1']) {
    await status(p); const again = await status(p);
    assert.notEqual(again.c, 'HIT', p);
  }
  const post = await node.get('cache.test', '/a?max_age=60', { method: 'POST', body: 'x' });
  assert.equal(post.status, 200);
});

test('purge by URL, prefix, tag and everything', async () => {
  await status('/u?max_age=60'); await status('/pre/x?max_age=60'); await status('/t?max_age=60&tag=blue'); await status('/e?max_age=60');
  for (const p of ['/u?max_age=60', '/pre/x?max_age=60', '/t?max_age=60&tag=blue', '/e?max_age=60']) assert.equal((await status(p)).c, 'HIT', p);
  const purge = async (body: unknown): Promise<number> => { const r = await node.api<{ removed: number }>('POST', `/client/v4/zones/${zid}/purge_cache`, body); assert.equal(r.status, 200, JSON.stringify(r.json.errors)); return r.json.result.removed; };
  assert.equal(await purge({ files: ['http://cache.test/u?max_age=60'] }), 1);
  assert.equal((await status('/u?max_age=60')).c, 'MISS');
  assert.ok(await purge({ prefixes: ['cache.test/pre/'] }) >= 1);
  assert.equal((await status('/pre/x?max_age=60')).c, 'MISS');
  assert.equal(await purge({ tags: ['blue'] }), 1);
  assert.equal((await status('/t?max_age=60&tag=blue')).c, 'MISS');
  assert.ok(await purge({ purge_everything: true }) >= 1);
  assert.equal((await status('/e?max_age=60')).c, 'MISS');
  const bad = await node.api('POST', `/client/v4/zones/${zid}/purge_cache`, { files: ['not a url'] });
  assert.equal(bad.status, 400);
  assert.match(bad.json.errors[0]!.message, /files\[0\]/);
  const none = await node.api('POST', `/client/v4/zones/${zid}/purge_cache`, {});
  assert.equal(none.status, 400);
});

test('50 concurrent misses make one origin request', async () => {
  const before = origin.hits('/slow');
  const all = await Promise.all(Array.from({ length: 50 }, () => status('/slow?max_age=60&delay_ms=500')));
  assert.ok(all.every((r) => r.s === 200));
  assert.equal(origin.hits('/slow') - before, 1);
  assert.equal(all.filter((r) => r.c === 'MISS').length, 1);
});

test('Range requests and HEAD are answered from a stored full object', async () => {
  await status('/big?size=1000&max_age=60');
  const r = await node.get('cache.test', '/big?size=1000&max_age=60', { headers: { range: 'bytes=10-19' } });
  assert.equal(r.status, 206);
  assert.equal(r.text, 'a'.repeat(10));
  assert.equal(r.headers['content-range'], 'bytes 10-19/1000');
  const h = await node.get('cache.test', '/big?size=1000&max_age=60', { method: 'HEAD' });
  assert.equal(h.headers['rampart-cache-status'], 'HIT');
  assert.equal(h.headers['content-length'], '1000');
  assert.equal(origin.hits('/big'), 1);
});

test('Always Online: a stale copy is served when the origin fails, and not when switched off', async () => {
  const o2 = await startOrigin();
  const z2 = (await node.addZone('ao.test', [o2.address])).id;
  await node.get('ao.test', '/x?max_age=1');
  await new Promise((r) => setTimeout(r, 1100));
  await o2.close();
  const stale = await node.get('ao.test', '/x?max_age=1');
  assert.equal(stale.status, 200);
  assert.equal(stale.headers['rampart-cache-status'], 'STALE');
  assert.ok(stale.headers['rampart-always-online']);
  await node.api('PATCH', `/client/v4/zones/${z2}/cache/settings`, { always_online: false });
  const down = await node.get('ao.test', '/x?max_age=1');
  assert.equal(down.status, 502);
});

test('the cache can be switched off per zone', async () => {
  await node.api('PATCH', `/client/v4/zones/${zid}/cache/settings`, { enabled: false });
  await status('/off?max_age=60');
  assert.equal((await status('/off?max_age=60')).c, 'undefined');
  assert.equal(origin.hits('/off'), 2);
  await node.api('PATCH', `/client/v4/zones/${zid}/cache/settings`, { enabled: true });
});

test('a waiting request whose client leaves does not stall the URL for later requests', async () => {
  const { request } = await import('undici');
  const url = `http://127.0.0.1:${node.httpPort}/stall?delay_ms=600&header_cache-control=no-store`;
  const leader = request(url, { headers: { host: 'cache.test' } }).then(async (r) => { await r.body.dump(); return r.statusCode; });
  await new Promise((r) => setTimeout(r, 100));
  const ac = new AbortController();
  const follower = request(url, { headers: { host: 'cache.test' }, signal: ac.signal }).catch(() => 'aborted');
  await new Promise((r) => setTimeout(r, 100));
  ac.abort();
  assert.equal(await follower, 'aborted');
  assert.equal(await leader, 200);
  // a stalled key would make this wait for the coalescing timeout (10 s); the signal turns that into a failure
  const later = await request(url, { headers: { host: 'cache.test' }, signal: AbortSignal.timeout(5000) });
  await later.body.dump();
  assert.equal(later.statusCode, 200);
});
