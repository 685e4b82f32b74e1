/**
 * Issue 9: a geo-scoped legal order applies only to clients from the jurisdiction's countries. Test address ranges
 * are mapped to countries by a GeoIP database (CSV range format): 127.0.60.0/24 is DE, 127.0.61.0/24 is FR.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setDefaultGeoIp } from '../../src/lib/geoip/index.ts';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

let node: TestNode;
let origin: TestOrigin;
const dir = mkdtempSync(join(tmpdir(), 'rampart-legal-geo-'));

function get(from: string, path: string): Promise<{ status: number; link: string | undefined }> {
  return new Promise((resolve, reject) => {
    const q = request({ host: '127.0.0.1', port: node.httpPort, path, localAddress: from, headers: { host: 'press.test', accept: 'text/html' }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, link: res.headers.link === undefined ? undefined : String(res.headers.link) }));
    });
    q.on('error', reject);
    q.end();
  });
}

before(async () => {
  writeFileSync(join(dir, 'country.csv'), 'start_ip,end_ip,country\n127.0.60.0,127.0.60.255,DE\n127.0.61.0/24,,FR\n');
  process.env['RAMPART_GEOIP_COUNTRY'] = join(dir, 'country.csv');
  setDefaultGeoIp(undefined);
  origin = await startOrigin();
  node = await startTestNode();
  await node.addZone('press.test', [origin.address], { settings: { security_level: 'off' } });
});
after(async () => {
  await node.stop();
  await origin.close();
  delete process.env['RAMPART_GEOIP_COUNTRY'];
  setDefaultGeoIp(undefined);
  rmSync(dir, { recursive: true, force: true });
});

test('a geo-scoped order answers 451 to clients from its jurisdiction only; without geo, to everyone', async () => {
  const o = await node.api('POST', '/client/v4/legal/orders', {
    zone: 'press.test', court: 'Landgericht Hamburg', case: '324 O 1/26', date: '2026-11-10', jurisdiction: ['DE'],
    document_base64: Buffer.from('%PDF order').toString('base64'), paths: ['/report'], geo: true,
  });
  assert.equal(o.status, 200, JSON.stringify(o.json.errors));
  const v = (await node.api<{ config_version: number }>('GET', '/client/v4/system/status')).json.result.config_version;
  await node.waitForVersion(v);
  const de = await get('127.0.60.7', '/report');
  assert.equal(de.status, 451, 'a client in Germany');
  assert.match(String(de.link), /rel="blocked-by"/);
  assert.equal((await get('127.0.61.7', '/report')).status, 200, 'a client in France');
  assert.equal((await get('127.0.62.7', '/report')).status, 200, 'a client whose country is unknown');
  assert.equal((await get('127.0.60.7', '/other')).status, 200, 'outside the scope');
  const all = await node.api('POST', '/client/v4/legal/orders', {
    zone: 'press.test', court: 'Tribunal judiciaire de Paris', case: 'RG 26/00001', date: '2026-11-11', jurisdiction: ['FR'],
    document_base64: Buffer.from('%PDF order 2').toString('base64'), paths: ['/everywhere'],
  });
  assert.equal(all.status, 200);
  await node.waitForVersion((await node.api<{ config_version: number }>('GET', '/client/v4/system/status')).json.result.config_version);
  for (const from of ['127.0.60.7', '127.0.61.7', '127.0.62.7']) assert.equal((await get(from, '/everywhere')).status, 451, from);
});
