// ACME end to end against Debian's pebble (an RFC 8555 test CA) resolving through Rampart's own DNS: a zone's proxied
// hostname gets a certificate by DNS-01 that a client trusting pebble's root accepts over the edge's HTTPS listener.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

const PEBBLE = '/usr/bin/pebble';
const skip = existsSync(PEBBLE) ? false : 'pebble is not installed (apt-get install pebble); ACME end-to-end test skipped';
let origin: TestOrigin;
let dir = '';

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => res(p)); });
  });
}

function get(port: number, path: string, o: { ca: string | Buffer; servername?: string }): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, ca: o.ca, ...(o.servername ? { servername: o.servername, headers: { host: o.servername } } : {}), timeout: 10_000 }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', rej);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

interface Pair { node: TestNode; pebble: ChildProcess; mgmt: number }
const pairs: Pair[] = [];

/** A Rampart node and a pebble resolving through its DNS and validating HTTP-01 on its HTTP port. */
async function startPair(challenge: 'dns-01' | 'http-01'): Promise<Pair> {
  const [listen, management] = [await freePort(), await freePort()];
  process.env['RAMPART_ACME_DIRECTORY'] = `https://127.0.0.1:${listen}/dir`;
  process.env['RAMPART_ACME_CA_BUNDLE'] = join(dir, 'pc.pem');
  process.env['RAMPART_ACME_CHALLENGE'] = challenge;
  process.env['RAMPART_EDGE_IPV4'] = '127.0.0.1';
  process.env['RAMPART_EDGE_IPV6'] = 'none'; // the edge listens on 127.0.0.1 only: HTTP-01 must not be tried over IPv6
  const n = await startTestNode();
  const cfg = join(dir, `pebble-${listen}.json`);
  writeFileSync(cfg, JSON.stringify({ pebble: {
    listenAddress: `127.0.0.1:${listen}`, managementListenAddress: `127.0.0.1:${management}`, certificate: join(dir, 'pc.pem'), privateKey: join(dir, 'pk.pem'),
    httpPort: n.httpPort, tlsPort: n.httpsPort, ocspResponderURL: '', externalAccountBindingRequired: false } }));
  const pb = spawn(PEBBLE, ['-config', cfg, '-dnsserver', `127.0.0.1:${n.dnsPort}`], { env: { ...process.env, PEBBLE_VA_NOSLEEP: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const pair = { node: n, pebble: pb, mgmt: management };
  pairs.push(pair);
  // pebble logs "Listening on" once its ACME server is up
  await new Promise<void>((res, rej) => {
    let log = '';
    const on = (c: Buffer): void => { log += c.toString(); if (log.includes('Listening on')) res(); };
    pb.stdout.on('data', on); pb.stderr.on('data', on);
    pb.once('exit', (code) => rej(new Error(`pebble exited (${code}): ${log}`)));
  });
  return pair;
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'rampart-acme-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(dir, 'pk.pem'), '-out', join(dir, 'pc.pem')], { stdio: 'ignore' });
  origin = await startOrigin();
});

after(async () => {
  if (skip) return;
  for (const p of pairs) { p.pebble.kill(); await p.node.stop(); }
  await origin.close();
  for (const k of ['RAMPART_ACME_DIRECTORY', 'RAMPART_ACME_CA_BUNDLE', 'RAMPART_ACME_CHALLENGE', 'RAMPART_EDGE_IPV4', 'RAMPART_EDGE_IPV6']) delete process.env[k];
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

test('a proxied hostname gets a pebble-issued certificate by DNS-01 and the edge serves it by SNI', { skip }, async () => {
  const { node, mgmt } = await startPair('dns-01');
  const { id } = await node.addZone('shop.test', [`127.0.0.1:${origin.port}`]);
  const rec = await node.api('POST', `/client/v4/zones/${id}/dns_records`, { type: 'A', name: 'www', content: '127.0.0.1', proxied: true });
  assert.equal(rec.status, 200, JSON.stringify(rec.json.errors));
  const before = await node.api<Array<{ hostname: string; source: string }>>('GET', `/client/v4/zones/${id}/ssl/certificates`);
  assert.deepEqual(before.json.result.map((c) => c.source), ['none']);

  const r = await node.api<{ names: string[]; challenge: string; expires_on: string }>('POST', '/client/v4/zones/shop.test/ssl/renew');
  assert.equal(r.status, 200, JSON.stringify(r.json.errors));
  assert.deepEqual(r.json.result.names, ['www.shop.test']);
  assert.equal(r.json.result.challenge, 'dns-01');
  assert.ok(Date.parse(r.json.result.expires_on) > Date.now());

  const root = await get(mgmt, '/roots/0', { ca: readFileSync(join(dir, 'pc.pem')) });
  assert.equal(root.status, 200);
  const page = await get(node.httpsPort!, '/echo', { ca: root.body, servername: 'www.shop.test' });
  assert.equal(page.status, 200);
  assert.match(page.body, /"method"/);

  const after = await node.api<Array<{ hostname: string; source: string; expires_on: string }>>('GET', `/client/v4/zones/${id}/ssl/certificates`);
  assert.deepEqual(after.json.result.map((c) => [c.hostname, c.source]), [['www.shop.test', 'acme']]);
  // the certificate is not one the client would trust without pebble's root (it was really issued, not self-signed)
  await assert.rejects(get(node.httpsPort!, '/echo', { ca: readFileSync(join(dir, 'pc.pem')), servername: 'www.shop.test' }));
});

test('renewing a zone without proxied hostnames says so', { skip }, async () => {
  const { node } = pairs[0]!;
  await node.addZone('empty.test', [`127.0.0.1:${origin.port}`]);
  const r = await node.api('POST', '/client/v4/zones/empty.test/ssl/renew');
  assert.equal(r.status, 400);
  assert.match(r.json.errors[0]!.message, /no proxied hostnames/);
});

test('HTTP-01: the edge answers the token on its HTTP listener and the certificate covers apex and www', { skip }, async () => {
  const { node, mgmt } = await startPair('http-01');
  const { id } = await node.addZone('http.test', [`127.0.0.1:${origin.port}`]);
  for (const name of ['@', 'www']) {
    const rec = await node.api('POST', `/client/v4/zones/${id}/dns_records`, { type: 'A', name, content: '127.0.0.1', proxied: true });
    assert.equal(rec.status, 200, JSON.stringify(rec.json.errors));
  }
  // a token that is not pending goes to the origin like any other path
  const miss = await node.get('www.http.test', '/.well-known/acme-challenge/nope');
  assert.match(miss.text, /"method"/);
  const r = await node.api<{ names: string[]; challenge: string }>('POST', `/client/v4/zones/${id}/ssl/renew`);
  assert.equal(r.status, 200, JSON.stringify(r.json.errors));
  assert.deepEqual(r.json.result, { ...r.json.result, names: ['http.test', 'www.http.test'], challenge: 'http-01' });
  const root = (await get(mgmt, '/roots/0', { ca: readFileSync(join(dir, 'pc.pem')) })).body;
  for (const host of ['http.test', 'www.http.test']) {
    const page = await get(node.httpsPort!, '/echo', { ca: root, servername: host });
    assert.equal(page.status, 200, host);
  }
});
