/**
 * The HTTPS listener: a certificate per zone chosen by SNI (self-signed and stored at first use, or the zone's own),
 * the default certificate for unknown names, HTTP/2 by ALPN with HTTP/1.1 still served, and requests proxied over
 * both with X-Forwarded-Proto: https.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { constants } from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';
import { h2Session, tlsPeer, tlsRawExchange } from '../helpers/tls.ts';
import { rawConnect } from '../helpers/raw.ts';
import { selfSignedCertificate } from '../../src/edge/tls/self-signed.ts';
import type { PemPair } from '../../src/edge/tls/self-signed.ts';

let node: TestNode;
let origin: TestOrigin;
let own: PemPair;

interface Echo { method: string; url: string; headers: Record<string, string>; bodyLength: number }
const echo = (b: Buffer): Echo => JSON.parse(b.toString('utf8')) as Echo;

before(async () => {
  node = await startTestNode();
  origin = await startOrigin();
  watchOrigin();
  own = await selfSignedCertificate(['own.test', 'www.own.test']);
  await node.addZone('shop.test', [origin.address], { aliases: ['*.shop.test'] });
  await node.addZone('own.test', [origin.address], { certificate: own, aliases: ['www.own.test'] });
});
after(async () => { await node.stop(); await origin.close(); });

test('SNI shop.test gets a certificate for shop.test, and the same one again (stored, not regenerated)', async () => {
  const a = await tlsPeer(node.httpsPort!, 'shop.test');
  assert.ok(a.dnsNames.includes('shop.test'), `SAN ${a.cert.subjectaltname}`);
  const b = await tlsPeer(node.httpsPort!, 'shop.test');
  assert.equal(b.fingerprint, a.fingerprint);
  // the name is matched without regard to case
  const c = await tlsPeer(node.httpsPort!, 'SHOP.test');
  assert.equal(c.fingerprint, a.fingerprint);
});

test('concurrent first connections for a new name all get the same certificate', async () => {
  await node.addZone('burst.test', [origin.address]);
  const peers = await Promise.all(Array.from({ length: 6 }, () => tlsPeer(node.httpsPort!, 'burst.test')));
  const fps = new Set(peers.map((p) => p.fingerprint));
  assert.equal(fps.size, 1);
  assert.ok(peers[0]!.dnsNames.includes('burst.test'));
});

test('HTTP/2 is negotiated by ALPN and requests are proxied with X-Forwarded-Proto: https', async () => {
  const s = await h2Session(node.httpsPort!, 'shop.test');
  try {
    assert.equal(s.peer.alpn, 'h2');
    assert.ok(s.peer.dnsNames.includes('shop.test'));
    const r = await s.request({ ':method': 'GET', ':path': '/h2?x=1', ':authority': 'shop.test', 'user-agent': 'h2-test' });
    assert.equal(r.status, 200);
    const e = echo(r.body);
    assert.equal(e.url, '/h2?x=1');
    assert.equal(e.headers['x-forwarded-proto'], 'https');
    assert.equal(e.headers['host'], 'shop.test');
    assert.equal(e.headers['user-agent'], 'h2-test');
    assert.equal(e.headers['rampart-connecting-ip'], '127.0.0.1');
    assert.match(String(r.headers['rampart-ray']), /^[0-9a-f]{16}$/);
    assert.equal(e.headers['rampart-ray'], r.headers['rampart-ray']);
    // no pseudo-header or h2-only field leaks to the origin
    for (const k of Object.keys(e.headers)) assert.ok(!k.startsWith(':'), k);
  } finally { await s.close(); }
});

test('HTTP/2 response status and headers from the origin pass through', async () => {
  const s = await h2Session(node.httpsPort!, 'shop.test');
  try {
    const r = await s.request({ ':method': 'GET', ':path': '/x?status=418&header_x-origin=yes', ':authority': 'shop.test' });
    assert.equal(r.status, 418);
    assert.equal(r.headers['x-origin'], 'yes');
    assert.equal(r.headers['connection'], undefined);
    const h = await s.request({ ':method': 'HEAD', ':path': '/head', ':authority': 'shop.test' });
    assert.equal(h.status, 200);
    assert.equal(h.body.length, 0);
  } finally { await s.close(); }
});

test('HTTP/1.1 over TLS works (ALPN http/1.1), with X-Forwarded-Proto: https', async () => {
  const r = await tlsRawExchange(node.httpsPort!, 'shop.test', 'GET /h1tls HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n');
  assert.equal(r.peer.alpn, 'http/1.1');
  assert.ok(r.peer.dnsNames.includes('shop.test'));
  assert.equal(r.responses[0]?.status, 200);
  const e = echo(r.responses[0]!.body);
  assert.equal(e.url, '/h1tls');
  assert.equal(e.headers['x-forwarded-proto'], 'https');
});

test('HTTP/1.1 over TLS without ALPN works too', async () => {
  const r = await tlsRawExchange(node.httpsPort!, 'shop.test', 'GET /noalpn HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n', null);
  assert.equal(r.peer.alpn, false);
  assert.equal(r.responses[0]?.status, 200);
  assert.equal(echo(r.responses[0]!.body).headers['x-forwarded-proto'], 'https');
});

test('malformed HTTP/1.1 over TLS is refused with 400 and not forwarded', async () => {
  const r = await tlsRawExchange(node.httpsPort!, 'shop.test',
    'POST /smug-tls HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
  assert.equal(r.timedOut, false);
  assert.equal(r.responses[0]?.status, 400);
  assert.equal(origin.hits('/smug-tls'), 0);
});

test('an unknown SNI name gets the default certificate and an unknown-host 404 page', async () => {
  const shop = await tlsPeer(node.httpsPort!, 'shop.test');
  const a = await tlsPeer(node.httpsPort!, 'nowhere.test');
  const b = await tlsPeer(node.httpsPort!, 'elsewhere.test');
  const none = await tlsPeer(node.httpsPort!);
  assert.equal(a.fingerprint, b.fingerprint);
  assert.equal(a.fingerprint, none.fingerprint);
  assert.notEqual(a.fingerprint, shop.fingerprint);
  assert.ok(!a.dnsNames.includes('nowhere.test'));
  const s = await h2Session(node.httpsPort!, 'nowhere.test');
  try {
    const r = await s.request({ ':method': 'GET', ':path': '/unknown-sni', ':authority': 'nowhere.test', accept: 'application/json' });
    assert.equal(r.status, 404);
    const body = JSON.parse(r.body.toString('utf8')) as { errors: Array<{ error: string }>; ray_id: string };
    assert.equal(body.errors[0]?.error, 'edge.unknown_host');
    assert.equal(body.ray_id, r.headers['rampart-ray']);
    const html = await s.request({ ':method': 'GET', ':path': '/unknown-sni', ':authority': 'nowhere.test', accept: 'text/html' });
    assert.equal(html.status, 404);
    assert.match(String(html.headers['content-type']), /text\/html/);
  } finally { await s.close(); }
  assert.equal(origin.hits('/unknown-sni'), 0);
});

test('a wildcard alias (*.shop.test) routes a.shop.test over HTTP/2, with a certificate for the name', async () => {
  const s = await h2Session(node.httpsPort!, 'a.shop.test');
  try {
    assert.ok(s.peer.dnsNames.some((n) => n === 'a.shop.test' || n === '*.shop.test'), `SAN ${s.peer.cert.subjectaltname}`);
    const r = await s.request({ ':method': 'GET', ':path': '/wild', ':authority': 'a.shop.test' });
    assert.equal(r.status, 200);
    const e = echo(r.body);
    assert.equal(e.url, '/wild');
    assert.equal(e.headers['host'], 'a.shop.test');
    assert.equal(e.headers['x-forwarded-proto'], 'https');
  } finally { await s.close(); }
  // the wildcard does not cover the parent's siblings
  const other = await tlsPeer(node.httpsPort!, 'shop.tests');
  assert.ok(!other.dnsNames.includes('shop.tests'));
});

test('a zone with its own certificate serves exactly that certificate, for its name and its alias', async () => {
  const want = new X509Certificate(own.cert).fingerprint256;
  const a = await tlsPeer(node.httpsPort!, 'own.test');
  assert.equal(a.fingerprint, want);
  const b = await tlsPeer(node.httpsPort!, 'www.own.test');
  assert.equal(b.fingerprint, want);
  const s = await h2Session(node.httpsPort!, 'own.test');
  try {
    assert.equal(s.peer.fingerprint, want);
    const r = await s.request({ ':method': 'GET', ':path': '/own', ':authority': 'own.test' });
    assert.equal(r.status, 200);
    assert.equal(echo(r.body).headers['host'], 'own.test');
  } finally { await s.close(); }
});

test('a POST body over HTTP/2 streams to the origin intact', async () => {
  const s = await h2Session(node.httpsPort!, 'shop.test');
  try {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const n = 48; // 3 MiB in 64 KiB DATA writes, no content-length
    async function* gen(): AsyncGenerator<Buffer> { for (let i = 0; i < n; i++) yield chunk; }
    const r = await s.request({ ':method': 'POST', ':path': '/h2-upload', ':authority': 'shop.test', 'content-type': 'application/octet-stream' }, gen());
    assert.equal(r.status, 200);
    assert.equal(echo(r.body).bodyLength, n * chunk.length);
    const seen = origin.seen.find((x) => x.url === '/h2-upload');
    assert.ok(seen);
    assert.equal(seen.bodyLength, n * chunk.length);
    assert.equal(seen.method, 'POST');
    // with a content-length, too
    const body = Buffer.alloc(100_001, 1);
    const r2 = await s.request({ ':method': 'PUT', ':path': '/h2-put', ':authority': 'shop.test', 'content-length': String(body.length) }, body);
    assert.equal(r2.status, 200);
    assert.equal(echo(r2.body).bodyLength, body.length);
    // and a small body with neither content-length nor an early end of stream
    const r3 = await s.request({ ':method': 'POST', ':path': '/h2-small', ':authority': 'shop.test' }, 'hello');
    assert.equal(echo(r3.body).bodyLength, 5);
  } finally { await s.close(); }
});

test('a large response streams back over HTTP/2', async () => {
  const s = await h2Session(node.httpsPort!, 'shop.test');
  try {
    const r = await s.request({ ':method': 'GET', ':path': `/big?size=${5 * 1024 * 1024}`, ':authority': 'shop.test' });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 5 * 1024 * 1024);
  } finally { await s.close(); }
});

test('concurrent HTTP/2 streams on one session all succeed, each with its own answer', async () => {
  const s = await h2Session(node.httpsPort!, 'shop.test');
  try {
    const N = 40;
    const rs = await Promise.all(Array.from({ length: N }, (_, i) => s.request(
      i % 4 === 0
        ? { ':method': 'POST', ':path': `/conc/${i}`, ':authority': 'shop.test' }
        : { ':method': 'GET', ':path': `/conc/${i}?delay_ms=${(i * 7) % 30}`, ':authority': 'shop.test' },
      i % 4 === 0 ? Buffer.alloc(1000 + i, 2) : undefined)));
    rs.forEach((r, i) => {
      assert.equal(r.status, 200, `stream ${i}`);
      const e = echo(r.body);
      assert.equal(e.url.split('?')[0], `/conc/${i}`);
      if (i % 4 === 0) assert.equal(e.bodyLength, 1000 + i);
    });
    for (let i = 0; i < N; i++) assert.equal(origin.hits(`/conc/${i}`), 1);
  } finally { await s.close(); }
});

test('an origin failure over HTTP/2 is a 502 page on that stream; the session stays usable', async () => {
  const dead = await startOrigin();
  const addr = dead.address;
  await dead.close();
  await node.addZone('dead.test', [addr]);
  const s = await h2Session(node.httpsPort!, 'dead.test');
  try {
    const r = await s.request({ ':method': 'GET', ':path': '/', ':authority': 'dead.test', accept: 'application/json' });
    assert.equal(r.status, 502);
    assert.equal((JSON.parse(r.body.toString('utf8')) as { errors: Array<{ error: string }> }).errors[0]?.error, 'origin.refused');
    const ok = await s.request({ ':method': 'GET', ':path': '/after-502', ':authority': 'shop.test' });
    assert.equal(ok.status, 200);
  } finally { await s.close(); }
});

test('a certificate generated for a zone survives a restart of the node (it is stored)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-tls-'));
  try {
    const n1 = await startTestNode({ data: dir });
    let fp: string;
    try {
      await n1.addZone('keep.test', [origin.address]);
      fp = (await tlsPeer(n1.httpsPort!, 'keep.test')).fingerprint;
    } finally { await n1.stop(); }
    const n2 = await startTestNode({ data: dir });
    try {
      const again = await tlsPeer(n2.httpsPort!, 'keep.test');
      assert.ok(again.dnsNames.includes('keep.test'));
      assert.equal(again.fingerprint, fp);
    } finally { await n2.stop(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

// ---- HTTP/2 framing and limits ----

/**
 * How the origin's copy of a request ended: 'complete' (the whole message arrived), 'aborted' (its connection or
 * message was cut), or 'never' (no request with that path arrived within the safety bound).
 */
const outcomes = new Map<string, boolean>();
const outcomeWaiters = new Map<string, () => void>();
function watchOrigin(): void {
  origin.server.on('request', (req: import('node:http').IncomingMessage) => {
    const path = (req.url ?? '').split('?')[0]!;
    req.once('close', () => { outcomes.set(path, req.complete); outcomeWaiters.get(path)?.(); });
  });
}
async function originOutcome(path: string, limitMs = 3000): Promise<'complete' | 'aborted' | 'never'> {
  if (!outcomes.has(path)) {
    await new Promise<void>((r) => {
      const t = setTimeout(r, limitMs);
      outcomeWaiters.set(path, () => { clearTimeout(t); r(); });
    });
    outcomeWaiters.delete(path);
  }
  const c = outcomes.get(path);
  return c === undefined ? 'never' : c ? 'complete' : 'aborted';
}

test('HTTP/2 DATA beyond content-length is refused and other sessions are unaffected', async () => {
  const s = await h2Session(node.httpsPort!, 'shop.test');
  const other = await h2Session(node.httpsPort!, 'shop.test');
  try {
    await assert.rejects(s.request({ ':method': 'POST', ':path': '/h2-cl-long', ':authority': 'shop.test', 'content-length': '5' }, 'helloworld'));
    const ok = await other.request({ ':method': 'GET', ':path': '/h2-cl-other', ':authority': 'shop.test' });
    assert.equal(ok.status, 200);
  } finally { await s.close(); await other.close(); }
});

test('HTTP/2 stream refused for a content-length mismatch: the origin never gets a complete request', {

}, async () => {
  const s = await h2Session(node.httpsPort!, 'shop.test');
  try {
    await assert.rejects(s.request({ ':method': 'POST', ':path': '/h2-cl-long2', ':authority': 'shop.test', 'content-length': '5' }, 'helloworld'));
  } finally { await s.close(); }
  const s2 = await h2Session(node.httpsPort!, 'shop.test');
  try {
    await assert.rejects(s2.request({ ':method': 'POST', ':path': '/h2-cl-short', ':authority': 'shop.test', 'content-length': '10' }, 'hello'));
  } finally { await s2.close(); }
  assert.notEqual(await originOutcome('/h2-cl-long2'), 'complete');
  assert.notEqual(await originOutcome('/h2-cl-short'), 'complete');
});

test('an HTTP/2 upload cancelled by the client (RST_STREAM) is not delivered to the origin as complete', {

}, async () => {
  const s = await h2Session(node.httpsPort!, 'shop.test');
  try {
    const st = s.session.request({ ':method': 'POST', ':path': '/h2-cancelled', ':authority': 'shop.test' }, { endStream: false });
    st.on('error', () => {});
    st.write(Buffer.alloc(1000, 1));
    // cancel once the origin has the request head, so the body is known to be in flight
    await new Promise<void>((r) => {
      const on = (req: { url?: string }): void => { if (req.url === '/h2-cancelled') { origin.server.removeListener('request', on); r(); } };
      origin.server.on('request', on);
    });
    st.close(constants.NGHTTP2_CANCEL);
    assert.equal(await originOutcome('/h2-cancelled'), 'aborted');
  } finally { await s.close(); }
});

test('an HTTP/1.1 upload cut short by the client is not delivered to the origin as complete', async () => {
  const c = await rawConnect(node.httpPort!);
  c.write('POST /h1-cancelled HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(1000));
  await new Promise<void>((r) => {
    const on = (req: { url?: string }): void => { if (req.url === '/h1-cancelled') { origin.server.removeListener('request', on); r(); } };
    origin.server.on('request', on);
  });
  c.close();
  assert.equal(await originOutcome('/h1-cancelled'), 'aborted');
});

test('HTTP/2 limits: a URI over the limit is 414, an oversized header list 431, too many fields refused; none forwarded', async () => {
  const s = await h2Session(node.httpsPort!, 'shop.test');
  try {
    const long = await s.request({ ':method': 'GET', ':path': '/h2-long?' + 'a'.repeat(9000), ':authority': 'shop.test' });
    assert.equal(long.status, 414);
  } finally { await s.close(); }
  const s2 = await h2Session(node.httpsPort!, 'shop.test');
  try {
    const huge = await s2.request({ ':method': 'GET', ':path': '/h2-huge', ':authority': 'shop.test', 'x-big': 'a'.repeat(40_000) });
    assert.equal(huge.status, 431);
  } finally { await s2.close(); }
  const s3 = await h2Session(node.httpsPort!, 'shop.test');
  try {
    const many: Record<string, string> = { ':method': 'GET', ':path': '/h2-many', ':authority': 'shop.test' };
    for (let i = 0; i < 150; i++) many[`x-h${i}`] = String(i);
    // a 431 answer or a stream reset are both refusals
    const r = await s3.request(many).catch(() => ({ status: 431 }));
    assert.equal(r.status, 431);
  } finally { await s3.close(); }
  for (const p of ['/h2-long', '/h2-huge', '/h2-many']) assert.equal(origin.hits(p), 0, p);
});

test('HTTP/2 :authority and a conflicting Host header: refused, or routed by :authority', {

}, async () => {
  await node.addZone('other.test', [origin.address]);
  const s = await h2Session(node.httpsPort!, 'shop.test');
  try {
    const r = await s.request({ ':method': 'GET', ':path': '/h2-avh', ':authority': 'shop.test', host: 'other.test' });
    if (r.status !== 400) {
      assert.equal(r.status, 200);
      assert.equal(echo(r.body).headers['host'], 'shop.test');
    }
  } finally { await s.close(); }
});

test('HTTP/2 with "expect: 100-continue" reaches the origin', {

}, async () => {
  const s = await h2Session(node.httpsPort!, 'shop.test');
  try {
    const r = await s.request({ ':method': 'POST', ':path': '/h2-expect', ':authority': 'shop.test', expect: '100-continue' }, 'hello');
    assert.equal(r.status, 200);
    assert.equal(echo(r.body).bodyLength, 5);
  } finally { await s.close(); }
});

test('HTTP/2 OPTIONS with :path "*" is not blamed on the origin', {

}, async () => {
  const s = await h2Session(node.httpsPort!, 'shop.test');
  try {
    const r = await s.request({ ':method': 'OPTIONS', ':path': '*', ':authority': 'shop.test' });
    assert.ok([200, 204, 501].includes(r.status), `status ${r.status}`);
  } finally { await s.close(); }
});

test('random names under a wildcard alias do not each mint, store and publish a certificate', {

}, async () => {
  await node.addZone('wild.test', [origin.address], { aliases: ['*.wild.test'] });
  const version = async (): Promise<number> => (await node.api<{ config_version: number }>('GET', '/client/v4/system/status')).json.result.config_version;
  const v0 = await version();
  const fps = new Set<string>();
  for (let i = 0; i < 10; i++) fps.add((await tlsPeer(node.httpsPort!, `r${i}.wild.test`)).fingerprint);
  const v1 = await version();
  assert.ok(v1 - v0 <= 1, `config_version went from ${v0} to ${v1}`);
  assert.equal(fps.size, 1, `${fps.size} distinct certificates`);
});

test('a certificate replaced through the API is served at once', async () => {
  const c1 = await selfSignedCertificate(['rot.test']);
  const c2 = await selfSignedCertificate(['rot.test']);
  const { id } = await node.addZone('rot.test', [origin.address], { certificate: c1 });
  assert.equal((await tlsPeer(node.httpsPort!, 'rot.test')).fingerprint, new X509Certificate(c1.cert).fingerprint256);
  const r = await node.api('PATCH', `/client/v4/zones/${id}`, { certificate: c2 });
  assert.equal(r.status, 200);
  await node.waitForVersion((await node.api<{ config_version: number }>('GET', '/client/v4/system/status')).json.result.config_version);
  assert.equal((await tlsPeer(node.httpsPort!, 'rot.test')).fingerprint, new X509Certificate(c2.cert).fingerprint256);
});

test('a certificate whose key does not match (or that does not parse) is refused by the API, or never breaks the handshake', {

}, async () => {
  const a = await selfSignedCertificate(['mismatch.test']);
  const b = await selfSignedCertificate(['mismatch.test']);
  const r = await node.api('POST', '/client/v4/zones', { name: 'mismatch.test', origins: [origin.address], certificate: { cert: a.cert, key: b.key } });
  if (r.status === 200) {
    await node.waitForVersion((await node.api<{ config_version: number }>('GET', '/client/v4/system/status')).json.result.config_version);
    await tlsPeer(node.httpsPort!, 'mismatch.test'); // must complete a handshake
  } else {
    assert.equal(r.status, 400);
  }
  const g = await node.api('POST', '/client/v4/zones', { name: 'garbage.test', origins: [origin.address],
    certificate: { cert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' } });
  assert.equal(g.status, 400);
});

test('deleting a zone stops its generated certificate from being served', {

}, async () => {
  const z = await node.addZone('gone.test', [origin.address]);
  const fp = (await tlsPeer(node.httpsPort!, 'gone.test')).fingerprint;
  const def = (await tlsPeer(node.httpsPort!, 'never-a-zone.test')).fingerprint;
  assert.notEqual(fp, def);
  assert.equal((await node.api('DELETE', `/client/v4/zones/${z.id}?reason=account_request`)).status, 200);
  await node.waitForVersion((await node.api<{ config_version: number }>('GET', '/client/v4/system/status')).json.result.config_version);
  assert.equal((await tlsPeer(node.httpsPort!, 'gone.test')).fingerprint, def);
});
