/**
 * The cache end to end through a real edge (EdgeServer + the request phases built by createRequestPhases with a
 * cache folder) and a real origin that sets validators: the disk tier survives a restart, expired entries are
 * revalidated with 304s, stale-while-revalidate refreshes once in the background, a client's conditional request
 * gets a 304 from the edge, and cache rules (bypass, cache everything, TTL and key overrides) apply.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { EdgeServer } from '../../src/edge/edge-server.ts';
import { createRequestPhases } from '../../src/edge/phases/index.ts';
import { buildSnapshot } from '../../src/config/snapshot.ts';
import { LimitsSchema, ZoneSchema } from '../../src/config/schema.ts';
import { CacheRuleSchema } from '../../src/cache/index.ts';
import { createAccessLog, createLogger } from '../../src/telemetry/logger.ts';
import { createEdgeMetrics, promClient } from '../../src/telemetry/metrics.ts';
import { openState } from '../../src/state/state-spec.ts';
import { selfSignedCertificate } from '../../src/edge/tls/self-signed.ts';
import type { ConfigDoc } from '../../src/state/ports.ts';

const ZID = 'c'.repeat(32);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// --- the origin: counts requests per path and answers conditionals
let origin: Server;
let originPort = 0;
const seen: { path: string; inm: string | undefined }[] = [];
let version = 1;
const count = (p: string, conditional?: boolean): number => seen.filter((s) => s.path === p && (conditional === undefined || (s.inm !== undefined) === conditional)).length;

function startOrigin(): Promise<void> {
  origin = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://o');
    const inm = req.headers['if-none-match'];
    seen.push({ path: u.pathname, inm });
    const etag = `"v${version}"`;
    const cc = u.searchParams.get('cc') ?? 'max-age=2';
    if (u.pathname.startsWith('/plain')) { res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 's=1' }); res.end(`plain ${u.search}`); return; }
    if (u.pathname.startsWith('/fail') && inm !== undefined) { res.writeHead(503); res.end('down'); return; }
    if (inm === etag) { res.writeHead(304, { etag, 'cache-control': cc, 'x-refreshed': String(seen.length) }); res.end(); return; }
    const size = Number(u.searchParams.get('size') ?? 0);
    res.writeHead(200, { 'content-type': 'text/plain', etag, 'cache-control': cc, 'last-modified': 'Mon, 02 Nov 2026 10:00:00 GMT' });
    res.end(size > 0 ? Buffer.alloc(size, 'z') : `body ${etag} ${u.pathname}`);
  });
  return new Promise((r) => origin.listen(0, '127.0.0.1', () => { originPort = (origin.address() as { port: number }).port; r(); }));
}

// --- a mini edge: the real EdgeServer and request phases, config as snapshot documents
interface Edge { port: number; close(): Promise<void>; apply(rules: unknown[], cache?: Record<string, unknown>): void }
let docVersion = 1;

async function startEdge(data: string): Promise<Edge> {
  const logger = createLogger({ level: 'error', name: 'cache-edge-test' });
  const metrics = createEdgeMetrics(new promClient.Registry() as unknown as Parameters<typeof createEdgeMetrics>[0]);
  const state = openState({ kind: 'memory' });
  const phases = await createRequestPhases(state, logger, metrics, { cacheDir: join(data, 'cache'), cacheMemoryBytes: 8 * 1024 * 1024, cacheDiskBytes: 64 * 1024 * 1024 });
  const edge = new EdgeServer({
    http: { host: '127.0.0.1', port: 0 }, limits: LimitsSchema.parse({}), logger, accessLog: createAccessLog('off'), metrics, nodeId: 't',
    defaultCert: await selfSignedCertificate(['localhost']), certSource: () => selfSignedCertificate(['localhost']), requestPhases: phases.phases,
  });
  const apply = (rules: unknown[], cache: Record<string, unknown> = {}): void => {
    const now = new Date().toISOString();
    const zone = ZoneSchema.parse({ id: ZID, name: 'cache.test', pool: { origins: [{ address: `127.0.0.1:${originPort}` }] }, cache, created_on: now, modified_on: now });
    const docs: ConfigDoc[] = [{ kind: 'zone', id: ZID, zoneId: null, name: 'cache.test', data: zone, modifiedOn: now }];
    rules.forEach((r, i) => docs.push({ kind: 'cache_rule', id: `r${i}`, zoneId: ZID, name: null, data: CacheRuleSchema.parse(r), modifiedOn: `${now}#${docVersion}` }));
    edge.apply(buildSnapshot(++docVersion, docs));
  };
  apply([]);
  const ports = await edge.start();
  return { port: ports.httpPort!, apply, close: async () => { await edge.close(1000); await phases.close(); await state.close(); } };
}

let data: string;
let edge: Edge;
before(async () => {
  await startOrigin();
  data = mkdtempSync(join(tmpdir(), 'rampart-cache-edge-'));
  edge = await startEdge(data);
});
after(async () => { await edge.close(); origin.close(); rmSync(data, { recursive: true, force: true }); });

async function get(path: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET'): Promise<{ s: number; c: string; cs: string; h: Record<string, string | string[] | undefined>; text: string }> {
  const r = await request(`http://127.0.0.1:${edge.port}${path}`, { method, headers: { host: 'cache.test', ...headers } });
  const text = await r.body.text();
  return { s: r.statusCode, c: String(r.headers['rampart-cache-status']), cs: String(r.headers['cache-status']), h: r.headers, text };
}

test('a node restarted with the same data folder serves a HIT from the disk tier', async () => {
  const a = await get('/disk?cc=max-age%3D600&size=200000');
  assert.equal(a.c, 'MISS');
  assert.match(a.cs, /fwd=uri-miss; fwd-status=200; stored/);
  assert.equal((await get('/disk?cc=max-age%3D600&size=200000')).c, 'HIT');
  assert.ok(existsSync(join(data, 'cache', 'w0', 'index.sqlite')));
  await edge.close();
  edge = await startEdge(data);
  const b = await get('/disk?cc=max-age%3D600&size=200000');
  assert.equal(b.c, 'HIT');
  assert.equal(b.text.length, 200_000);
  assert.equal(count('/disk'), 1);
});

test('an expired entry with an ETag is revalidated: 304 → REVALIDATED with merged headers; changed → stored again', async () => {
  version = 1;
  assert.equal((await get('/reval')).c, 'MISS');
  await sleep(2100); // past the 2 s freshness (2 s, not 1: a loaded CI machine may take over a second between two requests)
  const r = await get('/reval');
  assert.equal(r.c, 'REVALIDATED');
  assert.match(r.cs, /rampart; fwd=stale; fwd-status=304/);
  assert.equal(r.text, 'body "v1" /reval');
  assert.ok(r.h['x-refreshed'] !== undefined, 'the 304\'s fields are merged into the stored response');
  assert.equal(count('/reval', true), 1);
  assert.equal((await get('/reval')).c, 'HIT', 'the 304 refreshed the freshness');
  await sleep(2100); // past the 2 s freshness (2 s, not 1: a loaded CI machine may take over a second between two requests)
  version = 2;
  const changed = await get('/reval');
  assert.equal(changed.c, 'EXPIRED');
  assert.equal(changed.text, 'body "v2" /reval');
  const again = await get('/reval');
  assert.equal(again.c, 'HIT');
  assert.equal(again.text, 'body "v2" /reval');
  version = 1;
});

test('concurrent requests for an expired entry make one conditional request', async () => {
  await get('/many');
  await sleep(2100); // past the 2 s freshness (2 s, not 1: a loaded CI machine may take over a second between two requests)
  const before = count('/many', true);
  const all = await Promise.all(Array.from({ length: 20 }, () => get('/many')));
  assert.ok(all.every((x) => x.s === 200 && x.text === 'body "v1" /many'));
  assert.equal(count('/many', true) - before, 1);
});

test('a client\'s own conditional request on a HIT gets 304 from the edge', async () => {
  await get('/cond?cc=max-age%3D600');
  const origins = count('/cond');
  const nm = await get('/cond?cc=max-age%3D600', { 'if-none-match': 'W/"v1"' });
  assert.equal(nm.s, 304);
  assert.equal(nm.c, 'HIT');
  assert.equal(nm.h['etag'], '"v1"');
  const ims = await get('/cond?cc=max-age%3D600', { 'if-modified-since': 'Tue, 03 Nov 2026 10:00:00 GMT' });
  assert.equal(ims.s, 304);
  const other = await get('/cond?cc=max-age%3D600', { 'if-none-match': '"v0"' });
  assert.equal(other.s, 200);
  assert.equal(count('/cond'), origins);
});

test('stale-while-revalidate: UPDATING now, one background refresh, then fresh again', async () => {
  const p = '/swr?cc=max-age%3D2%2C%20stale-while-revalidate%3D60';
  await get(p);
  await sleep(2100); // past the 2 s freshness (2 s, not 1: a loaded CI machine may take over a second between two requests)
  const before = count('/swr', true);
  const all = await Promise.all(Array.from({ length: 10 }, () => get(p)));
  assert.ok(all.every((x) => x.c === 'UPDATING' && x.text === 'body "v1" /swr'), JSON.stringify(all.map((x) => x.c)));
  for (let i = 0; i < 50 && count('/swr', true) === before; i++) await sleep(20);
  // the refreshed copy is stored once the origin's answer has been read whole: wait for it (bounded), then one
  // origin request in all
  let c = '';
  for (let i = 0; i < 100 && c !== 'HIT'; i++) { c = (await get(p)).c; if (c !== 'HIT') await sleep(20); }
  assert.equal(c, 'HIT');
  assert.equal(count('/swr', true) - before, 1);
});

test('origin down on revalidation: the stale copy is served (Always Online)', async () => {
  await get('/fail');
  await sleep(2100); // past the 2 s freshness (2 s, not 1: a loaded CI machine may take over a second between two requests)
  const r = await get('/fail');
  assert.equal(r.c, 'STALE');
  assert.equal(r.h['rampart-always-online'], 'served-stale');
  assert.match(r.cs, /fwd-status=503/);
});

test('cache rules: bypass, cache everything (Set-Cookie stripped), edge and browser TTL, cache key; zone key options', async () => {
  edge.apply([
    { id: 'bypass', path: '/bypass/*', action: 'bypass' },
    { id: 'everything', expression: 'starts_with(http.request.uri.path, "/plain")', action: 'cache_everything', browser_ttl: 30 },
    { id: 'keyed', path: '/plain/keyed', cache_key: { query: 'ignore' } },
    { id: 'ttl', path: '/ttl', edge_ttl: 600 },
  ], { query_string: 'sorted' });
  await get('/bypass/x?cc=max-age%3D600');
  const b = await get('/bypass/x?cc=max-age%3D600');
  assert.equal(b.c, 'BYPASS');
  assert.match(b.cs, /fwd=bypass/);
  assert.equal(count('/bypass/x'), 2);

  const first = await get('/plain/page');
  assert.equal(first.c, 'MISS');
  assert.equal(first.h['set-cookie'], 's=1', 'the visitor who filled the cache still gets the cookie');
  assert.equal(first.h['cache-control'], 'max-age=30', 'browser TTL on the MISS too (one Cache-Control)');
  assert.equal(first.h['expires'], undefined);
  const hit = await get('/plain/page');
  assert.equal(hit.c, 'HIT');
  assert.equal(hit.h['set-cookie'], undefined, 'Set-Cookie is not stored');
  assert.equal(hit.h['cache-control'], 'max-age=30', 'browser TTL');

  await get('/plain/keyed?a=1');
  assert.equal((await get('/plain/keyed?b=2')).c, 'HIT', 'rule cache key ignores the query');
  await get('/ttl?cc=max-age%3D2');
  await sleep(2100); // past the 2 s freshness (2 s, not 1: a loaded CI machine may take over a second between two requests)
  assert.equal((await get('/ttl?cc=max-age%3D2')).c, 'HIT', 'edge TTL override');
  await get('/sorted?b=2&a=1&cc=max-age%3D60');
  assert.equal((await get('/sorted?a=1&cc=max-age%3D60&b=2')).c, 'HIT', 'zone sorts the query');
  edge.apply([]);
  const n = count('/plain/page');
  const after = await get('/plain/page');
  assert.equal(after.c, 'EXPIRED', 'without the rule the stored copy has no freshness: the origin is asked');
  assert.equal(count('/plain/page'), n + 1);
});

test('hit-for-pass: an unstorable URL is not coalesced and keeps the client\'s validators', async () => {
  await get('/nostore?cc=no-store');
  const before = count('/nostore', true);
  const all = await Promise.all(Array.from({ length: 5 }, () => get('/nostore?cc=no-store', { 'if-none-match': '"v1"' })));
  assert.ok(all.every((x) => x.s === 304 && x.c === 'DYNAMIC'), JSON.stringify(all.map((x) => [x.s, x.c])));
  assert.equal(count('/nostore', true) - before, 5, 'each went to the origin with its If-None-Match');
});

test('a successful POST invalidates the stored URL; a cache-busting flood is capped per path', async () => {
  edge.apply([], { max_query_variants: 3 });
  await get('/inv?cc=max-age%3D600');
  assert.equal((await get('/inv?cc=max-age%3D600')).c, 'HIT');
  const r = await request(`http://127.0.0.1:${edge.port}/inv?cc=max-age%3D600`, { method: 'POST', headers: { host: 'cache.test' }, body: 'x' });
  await r.body.dump();
  assert.equal(r.statusCode, 200);
  let label = 'HIT';
  for (let i = 0; i < 50 && label === 'HIT'; i++) { label = (await get('/inv?cc=max-age%3D600')).c; if (label === 'HIT') await sleep(10); }
  assert.equal(label, 'MISS');

  const labels: string[] = [];
  for (let i = 0; i < 5; i++) labels.push((await get(`/bust?cc=max-age%3D600&r=${i}`)).c);
  assert.deepEqual(labels, ['MISS', 'MISS', 'MISS', 'DYNAMIC', 'DYNAMIC']);
  assert.equal((await get('/bust?cc=max-age%3D600&r=1')).c, 'HIT', 'admitted variants stay cached');
  edge.apply([]);
});

test('a body larger than the memory tier\'s entry limit is stored on disk only and streamed from there', async () => {
  const size = 3 * 1024 * 1024; // memory tier 8 MiB → entry limit 1 MiB
  const a = await get(`/huge?cc=max-age%3D600&size=${size}`);
  assert.equal(a.c, 'MISS');
  assert.equal(a.text.length, size);
  const b = await get(`/huge?cc=max-age%3D600&size=${size}`);
  assert.equal(b.c, 'HIT');
  assert.equal(b.text.length, size);
  const r = await get(`/huge?cc=max-age%3D600&size=${size}`, { range: `bytes=${size - 10}-` });
  assert.equal(r.s, 206);
  assert.equal(r.text, 'z'.repeat(10));
  assert.equal(count('/huge'), 1);
});

test('a body too large for the store is served in full and not stored', async () => {
  const size = 9 * 1024 * 1024; // the disk tier (64 MiB) takes entries up to 8 MiB
  const a = await get(`/toolarge?cc=max-age%3D600&size=${size}`);
  assert.equal(a.s, 200);
  assert.equal(a.text.length, size);
  const n = count('/toolarge');
  const all = await Promise.all(Array.from({ length: 3 }, () => get(`/toolarge?cc=max-age%3D600&size=${size}`)));
  assert.ok(all.every((x) => x.text.length === size && x.c === 'MISS'), JSON.stringify(all.map((x) => x.c)));
  assert.equal(count('/toolarge') - n, 3, 'each went to the origin');
});
