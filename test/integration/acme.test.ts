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
let node: TestNode;
let origin: TestOrigin;
let pebble: ChildProcess | undefined;
let dir = '';
let mgmt = 0;

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

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'rampart-acme-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(dir, 'pk.pem'), '-out', join(dir, 'pc.pem')], { stdio: 'ignore' });
  const [listen, management] = [await freePort(), await freePort()];
  mgmt = management;
  origin = await startOrigin();
  process.env['RAMPART_ACME_DIRECTORY'] = `https://127.0.0.1:${listen}/dir`;
  process.env['RAMPART_ACME_CA_BUNDLE'] = join(dir, 'pc.pem');
  process.env['RAMPART_EDGE_IPV4'] = '127.0.0.1';
  node = await startTestNode();
  writeFileSync(join(dir, 'pebble.json'), JSON.stringify({ pebble: {
    listenAddress: `127.0.0.1:${listen}`, managementListenAddress: `127.0.0.1:${management}`, certificate: join(dir, 'pc.pem'), privateKey: join(dir, 'pk.pem'),
    httpPort: node.httpPort, tlsPort: node.httpsPort, ocspResponderURL: '', externalAccountBindingRequired: false } }));
  pebble = spawn(PEBBLE, ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${node.dnsPort}`], { env: { ...process.env, PEBBLE_VA_NOSLEEP: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  // pebble logs "Listening on" once its ACME server is up
  await new Promise<void>((res, rej) => {
    let log = '';
    const on = (c: Buffer): void => { log += c.toString(); if (log.includes('Listening on')) res(); };
    pebble!.stdout!.on('data', on); pebble!.stderr!.on('data', on);
    pebble!.once('exit', (code) => rej(new Error(`pebble exited (${code}): ${log}`)));
  });
});

after(async () => {
  if (skip) return;
  pebble?.kill();
  await node.stop();
  await origin.close();
  for (const k of ['RAMPART_ACME_DIRECTORY', 'RAMPART_ACME_CA_BUNDLE', 'RAMPART_EDGE_IPV4']) delete process.env[k];
  rmSync(dir, { recursive: true, force: true });
});

test('a proxied hostname gets a pebble-issued certificate by DNS-01 and the edge serves it by SNI', { skip }, async () => {
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
  await node.addZone('empty.test', [`127.0.0.1:${origin.port}`]);
  const r = await node.api('POST', '/client/v4/zones/empty.test/ssl/renew');
  assert.equal(r.status, 400);
  assert.match(r.json.errors[0]!.message, /no proxied hostnames/);
});
