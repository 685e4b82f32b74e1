import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

let node: TestNode;
let origin: TestOrigin;

before(async () => {
  node = await startTestNode();
  origin = await startOrigin();
  await node.addZone('shop.test', [origin.address], { aliases: ['*.shop.test', 'www.shop.example'] });
});
after(async () => { await node.stop(); await origin.close(); });

test('a zone is proxied by Host with forwarding headers set and a ray id', async () => {
  const r = await node.get('shop.test', '/echo?a=1', { headers: { 'x-forwarded-for': '10.9.9.9', 'user-agent': 'ua-test' } });
  assert.equal(r.status, 200);
  const seen = JSON.parse(r.text) as { url: string; headers: Record<string, string> };
  assert.equal(seen.url, '/echo?a=1');
  assert.equal(seen.headers['x-forwarded-for'], '10.9.9.9, 127.0.0.1');
  assert.equal(seen.headers['x-forwarded-proto'], 'http');
  assert.equal(seen.headers['rampart-connecting-ip'], '127.0.0.1');
  assert.equal(seen.headers['host'], 'shop.test');
  assert.equal(seen.headers['via'], '1.1 rampart');
  assert.equal(seen.headers['user-agent'], 'ua-test');
  assert.match(String(r.headers['rampart-ray']), /^[0-9a-f]{16}$/);
  assert.equal(seen.headers['rampart-ray'], r.headers['rampart-ray']);
});

test('a client cannot spoof Rampart-Connecting-IP or X-Forwarded-Proto', async () => {
  const r = await node.get('shop.test', '/spoof', { headers: { 'rampart-connecting-ip': '1.2.3.4', 'x-forwarded-proto': 'https' } });
  const seen = JSON.parse(r.text) as { headers: Record<string, string> };
  assert.equal(seen.headers['rampart-connecting-ip'], '127.0.0.1');
  assert.equal(seen.headers['x-forwarded-proto'], 'http');
});

test('hop-by-hop headers, and those named in Connection, are not forwarded either way', async () => {
  // raw socket: HTTP clients strip Connection themselves
  const raw = await new Promise<string>((resolve, reject) => {
    const s = connect(node.httpPort!, '127.0.0.1', () => {
      s.write('GET /hop?header_x-secret-hop=1&header_connection=x-secret-hop HTTP/1.1\r\nHost: shop.test\r\nConnection: close, X-Drop-Me\r\n'
        + 'X-Drop-Me: 1\r\nX-Keep-Me: 1\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\nKeep-Alive: timeout=5\r\n\r\n');
    });
    let got = '';
    s.on('data', (d) => { got += d.toString('latin1'); });
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  assert.match(head, /^HTTP\/1\.1 200/);
  const seen = JSON.parse(body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1)) as { headers: Record<string, string> };
  assert.equal(seen.headers['x-drop-me'], undefined);
  assert.equal(seen.headers['te'], undefined);
  assert.equal(seen.headers['proxy-authorization'], undefined);
  assert.equal(seen.headers['keep-alive'], undefined);
  assert.equal(seen.headers['x-keep-me'], '1');
  assert.doesNotMatch(head, /x-secret-hop/i);
  assert.match(head, /\r\nvia: 1\.1 rampart/i);
});

test('wildcard and exact aliases route to the zone; host matching ignores case, port and a trailing dot', async () => {
  for (const h of ['a.shop.test', 'x.y.shop.test', 'www.shop.example', 'SHOP.TEST:8080', 'shop.test.']) {
    const r = await node.get(h, '/alias');
    assert.equal(r.status, 200, h);
  }
});

test('an unknown host gets a 404 page with a stable code and the ray id, HTML or JSON', async () => {
  const html = await node.get('nowhere.test', '/', { headers: { accept: 'text/html' } });
  assert.equal(html.status, 404);
  assert.match(String(html.headers['content-type']), /text\/html/);
  assert.match(html.text, /edge\.unknown_host/);
  assert.ok(html.text.includes(String(html.headers['rampart-ray'])));
  const json = await node.get('nowhere.test', '/', { headers: { accept: 'application/json' } });
  assert.equal(json.status, 404);
  const body = JSON.parse(json.text) as { success: boolean; errors: Array<{ code: number; error: string }>; ray_id: string };
  assert.equal(body.success, false);
  assert.equal(body.errors[0]?.error, 'edge.unknown_host');
  assert.equal(body.errors[0]?.code, 1001);
  assert.equal(body.ray_id, json.headers['rampart-ray']);
});

test('status codes, response headers and HEAD pass through', async () => {
  const r = await node.get('shop.test', '/x?status=418&header_x-origin=yes');
  assert.equal(r.status, 418);
  assert.equal(r.headers['x-origin'], 'yes');
  const h = await node.get('shop.test', '/x', { method: 'HEAD' });
  assert.equal(h.status, 200);
  assert.equal(h.text, '');
});

test('a request body streams to the origin intact', async () => {
  const body = Buffer.alloc(3 * 1024 * 1024 + 7, 120);
  const r = await node.get('shop.test', '/upload', { method: 'POST', body });
  assert.equal(r.status, 200);
  assert.equal((JSON.parse(r.text) as { bodyLength: number }).bodyLength, body.length);
});

test('a large response streams through', async () => {
  const r = await request(`http://127.0.0.1:${node.httpPort}/big?size=${20 * 1024 * 1024}`, { headers: { host: 'shop.test' } });
  let n = 0;
  for await (const c of r.body) n += (c as Buffer).length;
  assert.equal(r.statusCode, 200);
  assert.equal(n, 20 * 1024 * 1024);
});

test('a 1 GiB upload passes with bounded memory', async () => {
  const total = 1024 * 1024 * 1024;
  const chunk = Buffer.alloc(1024 * 1024, 1);
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  async function* gen(): AsyncGenerator<Buffer> { for (let sent = 0; sent < total; sent += chunk.length) yield chunk; }
  const r = await request(`http://127.0.0.1:${node.httpPort}/gig`, { method: 'POST', headers: { host: 'shop.test', 'content-length': String(total) }, body: Readable.from(gen()) });
  const text = await r.body.text();
  clearInterval(timer);
  assert.equal(r.statusCode, 200);
  assert.equal((JSON.parse(text) as { bodyLength: number }).bodyLength, total);
  // client, proxy and origin share this process: a buffered body would add ~1 GiB; streaming adds a few MiB
  assert.ok(peak - rssBefore < 200 * 1024 * 1024, `RSS grew by ${Math.round((peak - rssBefore) / 1048576)} MiB`);
});

test('a change through the API is served at once (snapshot swap)', async () => {
  const o2 = await startOrigin();
  try {
    const z = await node.api<Array<{ id: string }>>('GET', '/client/v4/zones?name=shop.test');
    const id = z.json.result[0]!.id;
    const put = await node.api('PUT', `/client/v4/zones/${id}/origins`, { origins: [o2.address] });
    assert.equal(put.status, 200);
    const st = await node.api<{ config_version: number }>('GET', '/client/v4/system/status');
    await node.waitForVersion(st.json.result.config_version, 1000);
    const r = await node.get('shop.test', '/which');
    assert.equal((JSON.parse(r.text) as { port: number }).port, o2.port);
    await node.api('PUT', `/client/v4/zones/${id}/origins`, { origins: [origin.address] });
  } finally { await o2.close(); }
});

test('one JSON access log line per request, with ray, zone, status and origin timing, and no secrets', async () => {
  const r = await node.get('shop.test', '/logged?q=1', { headers: { authorization: 'Bearer very-secret', cookie: 'sid=also-secret' } });
  await new Promise((res) => setTimeout(res, 50));
  (node as unknown as { logger: { flush?: () => void } }).logger.flush?.();
  const ray = String(r.headers['rampart-ray']);
  let line: Record<string, unknown> | undefined;
  for (let i = 0; i < 50 && !line; i++) {
    const text = readFileSync(join(node.dataDir, 'access.log'), 'utf8');
    const l = text.split('\n').find((s) => s.includes(ray));
    if (l) line = JSON.parse(l) as Record<string, unknown>;
    else await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(line, 'access line written');
  assert.equal(line['zone'], 'shop.test');
  assert.equal(line['status'], 200);
  assert.equal(line['path'], '/logged');
  assert.equal(line['origin_status'], 200);
  assert.equal(typeof line['origin_ms'], 'number');
  assert.equal(line['client_ip'], '127.0.0.1');
  const raw = readFileSync(join(node.dataDir, 'access.log'), 'utf8');
  assert.ok(!raw.includes('very-secret') && !raw.includes('also-secret'));
});

test('metrics count requests by zone, status class and verdict', async () => {
  await node.get('shop.test', '/m');
  const r = await request(`http://127.0.0.1:${node.adminPort}/metrics`, { headers: { authorization: `Bearer ${node.adminToken}` } });
  const text = await r.body.text();
  assert.match(text, /rampart_requests_total\{zone="shop\.test",status_class="2xx",verdict="pass"\} \d+/);
  assert.match(text, /rampart_requests_total\{zone="-",status_class="4xx",verdict="edge\.unknown_host"\} \d+/);
  assert.match(text, /rampart_origin_response_seconds_bucket\{le="[0-9.]+",zone="shop\.test"\}/);
  assert.match(text, /rampart_active_connections\{listener="http"\}/);
});
