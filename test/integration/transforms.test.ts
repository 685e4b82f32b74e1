// Compression, email obfuscation and hotlink protection through the real proxy with a real origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, createGunzip, gunzipSync, gzipSync, zstdDecompressSync } from 'node:zlib';
import { request } from 'undici';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';
import { h2Session } from '../helpers/tls.ts';
import { decodeEmail } from '../../src/transform/index.ts';

const JSON_BODY = Buffer.from(JSON.stringify({ items: Array.from({ length: 300 }, (_, i) => ({ id: i, name: `item number ${i}`, tags: ['a', 'b', 'c'] })) }));
const HTML_BODY = `<!doctype html><html><head><title>Contact</title></head><body>
<p id="text">Write to jane.doe@example.com for help.</p>
<p><a id="link" href="mailto:sales@shop.test?subject=Hello">Sales</a></p>
<p>${'Lorem ipsum dolor sit amet. '.repeat(80)}</p>
</body></html>`;
const GZ = gzipSync(JSON_BODY);
let releaseStream: (() => void) | undefined;

let node: TestNode;
let origin: TestOrigin;
let zid: string;

before(async () => {
  node = await startTestNode();
  origin = await startOrigin('127.0.0.1', (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const maxAge = u.searchParams.get('max_age');
    const cc = maxAge !== null ? `public, max-age=${maxAge}` : 'no-store';
    switch (u.pathname) {
      case '/data.json':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': JSON_BODY.length, etag: '"v1"', 'cache-control': cc });
        res.end(JSON_BODY);
        return;
      case '/pre-gzip.json':
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': GZ.length, 'cache-control': 'no-store' });
        res.end(GZ);
        return;
      case '/no-transform.json':
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store, no-transform' });
        res.end(JSON_BODY);
        return;
      case '/small.txt':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 5, 'cache-control': 'no-store' });
        res.end('hello');
        return;
      case '/logo.png':
        res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
        res.end(Buffer.alloc(3000, 1));
        return;
      case '/page.html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(HTML_BODY), 'cache-control': cc });
        res.end(HTML_BODY);
        return;
      case '/split.html':
        // the address arrives in two TCP writes, some time apart
        res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
        res.write('<p>Reach us: someone@exa');
        setTimeout(() => res.end('mple.com today</p>'), 60);
        return;
      case '/stream.txt':
        // the second half is sent only once the test has decoded the first half from the client side
        res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
        res.write('FIRST-HALF '.repeat(100));
        releaseStream = () => res.end('SECOND-HALF');
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
    }
  });
  zid = (await node.addZone('tx.test', [origin.address], { settings: { hotlink_protection: true, hotlink_allow: ['partner.example'] } })).id;
});
after(async () => { await node.stop(); await origin.close(); });

async function get(path: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const r = await request(`http://127.0.0.1:${node.httpPort}${path}`, { method, headers: { host: 'tx.test', ...headers } });
  return { status: r.statusCode, headers: r.headers, body: Buffer.from(await r.body.arrayBuffer()) };
}

const DECODE = { br: brotliDecompressSync, zstd: zstdDecompressSync, gzip: gunzipSync } as const;

async function compressions(encoding: string): Promise<number> {
  const r = await request(`http://127.0.0.1:${node.adminPort}/metrics`, { headers: { authorization: `Bearer ${node.adminToken}` } });
  const text = await r.body.text();
  const m = new RegExp(`^rampart_compressed_responses_total\\{zone="tx\\.test",encoding="${encoding}"\\} (\\d+)`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

test('br, zstd and gzip bodies decode to the origin bytes; Vary, weak ETag, no Content-Length', async () => {
  for (const [ae, enc] of [['gzip, deflate, br, zstd', 'br'], ['zstd, gzip;q=0.5', 'zstd'], ['gzip', 'gzip']] as const) {
    const r = await get('/data.json', { 'accept-encoding': ae });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], enc, ae);
    assert.match(String(r.headers['vary']), /accept-encoding/i);
    assert.equal(r.headers['content-length'], undefined);
    assert.equal(r.headers['etag'], 'W/"v1"');
    assert.ok(r.body.length < JSON_BODY.length / 3, `${enc} compresses`);
    assert.deepEqual(DECODE[enc](r.body), JSON_BODY, enc);
  }
});

test('a client without Accept-Encoding (or refusing every coding) gets identity, with Vary', async () => {
  for (const h of [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'br;q=0, gzip;q=0' }] as Array<Record<string, string>>) {
    const r = await get('/data.json', h);
    assert.equal(r.headers['content-encoding'], undefined);
    assert.match(String(r.headers['vary']), /accept-encoding/i);
    assert.equal(r.headers['etag'], '"v1"');
    assert.deepEqual(r.body, JSON_BODY);
  }
});

test('no double compression; no-transform, small bodies, images, HEAD and Range are left alone', async () => {
  const pre = await get('/pre-gzip.json', { 'accept-encoding': 'br, gzip' });
  assert.equal(pre.headers['content-encoding'], 'gzip');
  assert.deepEqual(pre.body, GZ);
  const nt = await get('/no-transform.json', { 'accept-encoding': 'br' });
  assert.equal(nt.headers['content-encoding'], undefined);
  assert.deepEqual(nt.body, JSON_BODY);
  const small = await get('/small.txt', { 'accept-encoding': 'br' });
  assert.equal(small.headers['content-encoding'], undefined);
  assert.equal(small.body.toString(), 'hello');
  const img = await get('/logo.png', { 'accept-encoding': 'br' });
  assert.equal(img.headers['content-encoding'], undefined);
  assert.equal(img.headers['vary'], undefined);
  assert.equal(img.body.length, 3000);
  const head = await get('/data.json', { 'accept-encoding': 'br' }, 'HEAD');
  assert.equal(head.headers['content-encoding'], undefined);
  const range = await get('/data.json', { 'accept-encoding': 'br', range: 'bytes=0-9' });
  assert.equal(range.headers['content-encoding'], undefined);
});

test('a compressed variant is stored once and served from the cache without compressing again; identity clients get identity', async () => {
  const p = '/data.json?max_age=60&c=1';
  const before = await compressions('br');
  const a = await get(p, { 'accept-encoding': 'br' });
  assert.equal(a.headers['rampart-cache-status'], 'MISS');
  assert.equal(await compressions('br'), before + 1);
  const b = await get(p, { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(b.headers['rampart-cache-status'], 'HIT');
  assert.equal(b.headers['content-encoding'], 'br');
  assert.deepEqual(brotliDecompressSync(b.body), JSON_BODY);
  assert.equal(await compressions('br'), before + 1, 'served from the cache: no second compression');
  assert.equal(origin.seen.filter((s) => s.url === p).length, 1);
  // the cache holds only br so far: a client without Accept-Encoding must not get it
  const plain = await get(p);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.deepEqual(plain.body, JSON_BODY);
  const plain2 = await get(p);
  assert.equal(plain2.headers['rampart-cache-status'], 'HIT');
  assert.deepEqual(plain2.body, JSON_BODY);
  const gz = await get(p, { 'accept-encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.deepEqual(gunzipSync(gz.body), JSON_BODY);
});

test('compression streams: the first half reaches the client before the origin sends the rest', { timeout: 15_000 }, async () => {
  const r = await request(`http://127.0.0.1:${node.httpPort}/stream.txt`, { headers: { host: 'tx.test', 'accept-encoding': 'gzip' } });
  assert.equal(r.headers['content-encoding'], 'gzip');
  const gunzip = createGunzip();
  let text = '';
  const sawFirst = new Promise<void>((resolve) => gunzip.on('data', (c: Buffer) => { text += c.toString(); if (text.includes('FIRST-HALF')) resolve(); }));
  const ended = new Promise((resolve) => gunzip.on('end', resolve));
  r.body.pipe(gunzip);
  await sawFirst; // a proxy that buffered the whole body would never get here (the origin waits for us)
  assert.ok(!text.includes('SECOND-HALF'));
  releaseStream!();
  await ended;
  assert.equal(text, 'FIRST-HALF '.repeat(100) + 'SECOND-HALF');
});

test('a client that leaves in the middle of a compressed stream does not disturb the edge', { timeout: 15_000 }, async () => {
  const ac = new AbortController();
  const r = await request(`http://127.0.0.1:${node.httpPort}/stream.txt`, { headers: { host: 'tx.test', 'accept-encoding': 'br' }, signal: ac.signal });
  assert.equal(r.headers['content-encoding'], 'br');
  await new Promise<void>((resolve) => r.body.once('data', () => resolve()));
  ac.abort();
  await new Promise((resolve) => setTimeout(resolve, 50));
  releaseStream!(); // the origin finishes into a closed exchange
  const after = await get('/data.json', { 'accept-encoding': 'br' });
  assert.equal(after.status, 200);
  assert.deepEqual(brotliDecompressSync(after.body), JSON_BODY);
});

test('email addresses in HTML are obfuscated (text and mailto:), decoder script included; then compressed', async () => {
  const r = await get('/page.html');
  const html = r.body.toString();
  assert.equal(r.headers['content-length'], undefined);
  assert.doesNotMatch(html, /jane\.doe@example\.com|sales@shop\.test|mailto:/);
  assert.match(html, /<script src="\/\.rampart\/email-decode\.js" defer="defer"><\/script>/);
  const span = /data-rampart-email="([0-9a-f]+)"/.exec(html);
  assert.equal(decodeEmail(span![1]!), 'jane.doe@example.com');
  const link = /href="\/\.rampart\/email-protection#([0-9a-f]+)"/.exec(html);
  assert.equal(decodeEmail(link![1]!), 'sales@shop.test?subject=Hello');
  const br = await get('/page.html', { 'accept-encoding': 'br' });
  assert.equal(br.headers['content-encoding'], 'br');
  const unpacked = brotliDecompressSync(br.body).toString();
  assert.doesNotMatch(unpacked, /jane\.doe@example\.com/);
  assert.match(unpacked, /data-rampart-email=/);
  const script = await get('/.rampart/email-decode.js');
  assert.equal(script.status, 200);
  assert.match(String(script.headers['content-type']), /javascript/);
  assert.match(script.body.toString(), /data-rampart-email/);
});

test('an address split across origin chunks is still obfuscated', async () => {
  const r = await get('/split.html');
  const html = r.body.toString();
  assert.doesNotMatch(html, /someone|example\.com/);
  const span = /data-rampart-email="([0-9a-f]+)"/.exec(html);
  assert.equal(decodeEmail(span![1]!), 'someone@example.com');
  assert.match(html, /^<p>Reach us: <script [^>]+><\/script><span [^>]+>\[email&#160;protected\]<\/span> today<\/p>$/);
});

test('HTTP/2: compressed and obfuscated the same way', async () => {
  const s = await h2Session(node.httpsPort!, 'tx.test');
  try {
    const r = await s.request({ ':method': 'GET', ':path': '/data.json', ':authority': 'tx.test', 'accept-encoding': 'zstd' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], 'zstd');
    assert.deepEqual(zstdDecompressSync(r.body), JSON_BODY);
    const p = await s.request({ ':method': 'GET', ':path': '/page.html', ':authority': 'tx.test', 'accept-encoding': 'gzip' });
    const html = gunzipSync(p.body).toString();
    assert.doesNotMatch(html, /jane\.doe@example\.com/);
    assert.match(html, /data-rampart-email=/);
  } finally { await s.close(); }
});

test('hotlink protection: 403 for a foreign Referer on an image; 200 for the allowlist, the zone itself and no Referer', async () => {
  assert.equal((await get('/logo.png', { referer: 'https://evil.example/page' })).status, 403);
  assert.equal((await get('/logo.png', { referer: 'https://partner.example/gallery' })).status, 200);
  assert.equal((await get('/logo.png', { referer: 'https://tx.test/home' })).status, 200);
  assert.equal((await get('/logo.png', { referer: 'https://www.tx.test/home' })).status, 200);
  assert.equal((await get('/logo.png')).status, 200);
  assert.equal((await get('/data.json', { referer: 'https://evil.example/page' })).status, 200, 'not an image');
  await node.api('PATCH', `/client/v4/zones/${zid}/settings`, { hotlink_protection: false });
  await waitFor(async () => (await get('/logo.png', { referer: 'https://evil.example/page' })).status === 200);
  await node.api('PATCH', `/client/v4/zones/${zid}/settings`, { hotlink_protection: true });
  await waitFor(async () => (await get('/logo.png', { referer: 'https://evil.example/page' })).status === 403);
});

test('per-zone switches: email obfuscation and compression off', async () => {
  const r = await node.api('PATCH', `/client/v4/zones/${zid}/settings`, { email_obfuscation: false, compression: false });
  assert.equal(r.status, 200);
  await waitFor(async () => (await get('/page.html')).body.toString().includes('jane.doe@example.com'));
  const page = await get('/page.html', { 'accept-encoding': 'br' });
  assert.equal(page.headers['content-encoding'], undefined);
  assert.equal(page.body.toString(), HTML_BODY);
  assert.equal(page.headers['content-length'], String(Buffer.byteLength(HTML_BODY)));
  await node.api('PATCH', `/client/v4/zones/${zid}/settings`, { email_obfuscation: true, compression: true });
});

/** Settings reach the edge with the next snapshot: poll (bounded) until the condition holds. */
async function waitFor(cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) { if (await cond()) return; await new Promise((r) => setTimeout(r, 50)); }
  assert.fail('condition not reached');
}
