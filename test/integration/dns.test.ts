import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';

const DIG = ['/usr/bin/dig', '/bin/dig'].find((p) => existsSync(p));
const skip = DIG ? false : 'dig is not installed (apt-get install dnsutils)';
let node: TestNode;
let zid: string;

before(async () => {
  process.env['RAMPART_EDGE_IPV4'] = '203.0.113.10';
  node = await startTestNode();
  zid = (await node.addZone('dns.test', [])).id;
});
after(async () => { await node.stop(); delete process.env['RAMPART_EDGE_IPV4']; });

// asynchronous: the DNS server runs in this process and must keep answering while dig waits
async function dig(...args: string[]): Promise<string> {
  return (await promisify(execFile)(DIG!, ['+norec', '+time=2', '+tries=1', '-p', String(node.dnsPort), '@127.0.0.1', ...args], { encoding: 'utf8' })).stdout;
}

test('proxied records answer with the edge address, others with their content; the origin stays hidden', { skip }, async () => {
  const a = await node.api('POST', `/client/v4/zones/${zid}/dns_records`, { type: 'A', name: 'www', content: '192.0.2.80', proxied: true });
  assert.equal(a.status, 200, JSON.stringify(a.json.errors));
  await node.api('POST', `/client/v4/zones/${zid}/dns_records`, { type: 'A', name: 'mail', content: '192.0.2.25' });
  await node.api('POST', `/client/v4/zones/${zid}/dns_records`, { type: 'MX', name: '@', content: 'mail.dns.test', priority: 10 });
  assert.equal((await dig('www.dns.test', 'A', '+short')).trim(), '203.0.113.10');
  assert.equal((await dig('mail.dns.test', 'A', '+short')).trim(), '192.0.2.25');
  assert.equal((await dig('dns.test', 'MX', '+short')).trim(), '10 mail.dns.test.');
  const full = await dig('www.dns.test', 'A');
  assert.match(full, /flags:[^;]* aa/);
  assert.ok(!full.includes('192.0.2.80'), 'the origin address never appears');
  const nx = await dig('nope.dns.test', 'A');
  assert.match(nx, /status: NXDOMAIN/);
  assert.match(nx, /AUTHORITY SECTION:\n[^\n]*SOA/);
  assert.match(await dig('other.example', 'A'), /status: REFUSED/);
});

test('invalid records are refused with the field named; a CNAME beside other data is refused', async () => {
  const bad = await node.api('POST', `/client/v4/zones/${zid}/dns_records`, { type: 'A', name: 'x', content: 'not-an-ip' });
  assert.equal(bad.status, 400);
  assert.match(bad.json.errors[0]!.message, /content/);
  await node.api('POST', `/client/v4/zones/${zid}/dns_records`, { type: 'TXT', name: 'both', content: 'hello' });
  const clash = await node.api('POST', `/client/v4/zones/${zid}/dns_records`, { type: 'CNAME', name: 'both', content: 'www.dns.test' });
  assert.equal(clash.status, 400);
  assert.match(clash.json.errors[0]!.message, /CNAME/i);
});

test('zone file import and export round-trip', { skip }, async () => {
  const file = '$TTL 600\n@ IN SOA ns1.x. host.x. 1 7200 3600 1209600 300\nimp  IN A 192.0.2.7\ntxt  IN TXT "v=spf1 -all"\n';
  const r = await node.api<{ recs_added: number }>('POST', `/client/v4/zones/${zid}/dns_records/import`, { file });
  assert.equal(r.status, 200, JSON.stringify(r.json.errors));
  assert.equal(r.json.result.recs_added, 2);
  assert.equal((await dig('imp.dns.test', 'A', '+short')).trim(), '192.0.2.7');
  const { request } = await import('undici');
  const ex = await request(`http://127.0.0.1:${node.adminPort}/client/v4/zones/${zid}/dns_records/export`, { headers: { authorization: `Bearer ${node.adminToken}` } });
  const text = await ex.body.text();
  assert.match(text, /imp[^\n]*\sA\s+192\.0\.2\.7/);
  assert.match(text, /v=spf1 -all/);
  const broken = await node.api('POST', `/client/v4/zones/${zid}/dns_records/import`, { file: 'x IN A\n' });
  assert.equal(broken.status, 400);
  assert.match(broken.json.errors[0]!.message, /zone file: .*1/);
});
