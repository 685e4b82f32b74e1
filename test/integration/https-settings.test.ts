/** HTTPS settings per zone: Always Use HTTPS (301/308 to https, ACME HTTP-01 excepted) and HSTS on HTTPS answers. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request as httpsRequest } from 'node:https';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

let node: TestNode;
let origin: TestOrigin;
before(async () => {
  origin = await startOrigin();
  node = await startTestNode();
  await node.addZone('secure.test', [origin.address], { settings: { always_use_https: true, hsts: { max_age: 31536000, include_subdomains: true } } });
  await node.addZone('plain.test', [origin.address]);
});
after(async () => { await node.stop(); await origin.close(); });

function getTls(host: string, path: string): Promise<{ status: number; hsts: string | undefined }> {
  return new Promise((resolve, reject) => {
    const q = httpsRequest({ host: '127.0.0.1', port: node.httpsPort, path, servername: host, headers: { host }, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'] }));
    });
    q.on('error', reject);
    q.end();
  });
}

test('plain HTTP is redirected to HTTPS, keeping the path; POST with 308', async () => {
  const r = await node.get('secure.test', '/cart?item=7');
  assert.equal(r.status, 301);
  assert.equal(r.headers['location'], `https://secure.test:${node.httpsPort}/cart?item=7`);
  const p = await node.get('secure.test', '/checkout', { method: 'POST', body: 'x=1' });
  assert.equal(p.status, 308);
  assert.equal((await node.get('secure.test', '/.well-known/acme-challenge/abc')).status !== 301, true, 'ACME HTTP-01 stays on HTTP');
  assert.equal((await node.get('plain.test', '/')).status, 200, 'zones without the setting are not redirected');
});

test('HSTS on HTTPS answers of the zone that asks for it, not on others', async () => {
  const s = await getTls('secure.test', '/');
  assert.equal(s.status, 200);
  assert.equal(s.hsts, 'max-age=31536000; includeSubDomains');
  const p = await getTls('plain.test', '/');
  assert.equal(p.status, 200);
  assert.equal(p.hsts, undefined);
});
