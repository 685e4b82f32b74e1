import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { writeMmdb, setDefaultGeoIp } from '../../src/lib/geoip/index.ts';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

let node: TestNode;
let origin: TestOrigin;
let zid: string;
const dir = mkdtempSync(join(tmpdir(), 'rampart-geoip-'));

before(async () => {
  // loopback test ranges: 127.0.9.0/24 is France, 127.0.10.0/24 Belgium; AS 64496 for 127.0.11.0/24 (CSV)
  writeFileSync(join(dir, 'country.mmdb'), writeMmdb([
    { network: '127.0.9.0/24', data: { country: { iso_code: 'FR' } } },
    { network: '127.0.10.0/24', data: { country: { iso_code: 'BE' } } },
  ], { recordSize: 24 }));
  writeFileSync(join(dir, 'asn.csv'), 'start_ip,end_ip,country,asn,org\n127.0.11.0,127.0.11.255,,64496,Test AS\n');
  process.env['RAMPART_GEOIP_COUNTRY'] = join(dir, 'country.mmdb');
  process.env['RAMPART_GEOIP_ASN'] = join(dir, 'asn.csv');
  setDefaultGeoIp(undefined); // load from the environment on first use
  node = await startTestNode();
  origin = await startOrigin();
  zid = (await node.addZone('geo.test', [origin.address])).id;
});
after(async () => {
  await node.stop();
  await origin.close();
  delete process.env['RAMPART_GEOIP_COUNTRY'];
  delete process.env['RAMPART_GEOIP_ASN'];
  setDefaultGeoIp(undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function from(ip: string, path: string): Promise<number> {
  const agent = new Agent({ localAddress: ip });
  try {
    const r = await request(`http://127.0.0.1:${node.httpPort}${path}`, { headers: { host: 'geo.test' }, dispatcher: agent });
    await r.body.text();
    return r.statusCode;
  } finally { await agent.close(); }
}

async function settle(): Promise<void> {
  const st = await node.api<{ config_version: number }>('GET', '/client/v4/system/status');
  await node.waitForVersion(st.json.result.config_version);
}

test('a country rule blocks clients the database places in France, and only them', async () => {
  const r = await node.api<{ id: string }>('POST', `/client/v4/zones/${zid}/firewall/rules`, { expression: 'ip.src.country in {"FR"} and http.request.uri.path eq "/fr"', action: 'block' });
  assert.equal(r.status, 200, JSON.stringify(r.json.errors));
  await settle();
  assert.equal(await from('127.0.9.5', '/fr'), 403);
  assert.equal(await from('127.0.10.5', '/fr'), 200, 'Belgium passes');
  assert.equal(await from('127.0.0.1', '/fr'), 200, 'unknown (XX) passes');
  await node.api('DELETE', `/client/v4/zones/${zid}/firewall/rules/${r.json.result.id}`);
});

test('unknown addresses read as XX and ASN 0; the ASN database answers ip.src.asnum', async () => {
  const r = await node.api<Array<{ id: string }>>('POST', `/client/v4/zones/${zid}/firewall/rules`, [
    { expression: 'ip.src.country eq "XX" and http.request.uri.path eq "/xx"', action: 'block' },
    { expression: 'ip.src.asnum eq 64496 and http.request.uri.path eq "/asn"', action: 'block' },
  ]);
  assert.equal(r.status, 200, JSON.stringify(r.json.errors));
  await settle();
  assert.equal(await from('127.0.0.1', '/xx'), 403);
  assert.equal(await from('127.0.9.5', '/xx'), 200);
  assert.equal(await from('127.0.11.9', '/asn'), 403);
  assert.equal(await from('127.0.9.5', '/asn'), 200);
  for (const x of r.json.result) await node.api('DELETE', `/client/v4/zones/${zid}/firewall/rules/${x.id}`);
});

test('access rules by country and by ASN', async () => {
  const a = await node.api<{ id: string }>('POST', `/client/v4/zones/${zid}/firewall/access_rules/rules`, { mode: 'block', configuration: { target: 'country', value: 'BE' } });
  const b = await node.api<{ id: string }>('POST', `/client/v4/zones/${zid}/firewall/access_rules/rules`, { mode: 'block', configuration: { target: 'asn', value: 'AS64496' } });
  assert.equal(a.status, 200, JSON.stringify(a.json.errors));
  assert.equal(b.status, 200, JSON.stringify(b.json.errors));
  await settle();
  assert.equal(await from('127.0.10.7', '/'), 403);
  assert.equal(await from('127.0.11.7', '/'), 403);
  assert.equal(await from('127.0.9.7', '/'), 200);
  await node.api('DELETE', `/client/v4/zones/${zid}/firewall/access_rules/rules/${a.json.result.id}`);
  await node.api('DELETE', `/client/v4/zones/${zid}/firewall/access_rules/rules/${b.json.result.id}`);
});
