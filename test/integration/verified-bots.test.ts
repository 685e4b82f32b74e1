/**
 * Verified bots end to end (issue 6): our own DNS server (src/dns) answers PTR and A for 127.x addresses; the edge
 * resolves through it (RAMPART_BOT_RESOLVER). A Googlebot UA from an address whose PTR points back is let past
 * Under Attack mode; the same UA from an address with a forged PTR is challenged.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { buildDnsSnapshot, startDnsServer } from '../../src/dns/index.ts';
import type { DnsServer } from '../../src/dns/index.ts';
import { crawlerDnsZones } from '../../src/mitigation/bots/test-zones.ts';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const GOOD = '127.0.9.5';
const FORGED = '127.0.9.6';

let dns: DnsServer;
let node: TestNode;
let origin: TestOrigin;
let zid: string;
const saved = process.env['RAMPART_BOT_RESOLVER'];

before(async () => {
  const snap = buildDnsSnapshot(crawlerDnsZones({ good: GOOD, forged: FORGED }), { edgeIPv4: ['127.0.0.1'], edgeIPv6: [] });
  dns = await startDnsServer({ host: '127.0.0.1', port: 0, getSnapshot: () => snap });
  process.env['RAMPART_BOT_RESOLVER'] = `127.0.0.1:${dns.udpPort}`;
  node = await startTestNode();
  origin = await startOrigin();
  zid = (await node.addZone('bots.test', [origin.address], { settings: { security_level: 'under_attack' } })).id;
});
after(async () => {
  await node.stop(); await origin.close(); await dns.close();
  if (saved === undefined) delete process.env['RAMPART_BOT_RESOLVER']; else process.env['RAMPART_BOT_RESOLVER'] = saved;
});

async function from(ip: string, path: string, ua: string): Promise<{ status: number; text: string }> {
  const agent = new Agent({ localAddress: ip });
  try {
    const r = await request(`http://127.0.0.1:${node.httpPort}${path}`, { headers: { host: 'bots.test', 'user-agent': ua, accept: 'text/html' }, dispatcher: agent });
    return { status: r.statusCode, text: await r.body.text() };
  } finally { await agent.close(); }
}

async function settle(): Promise<void> {
  const st = await node.api<{ config_version: number }>('GET', '/client/v4/system/status');
  await node.waitForVersion(st.json.result.config_version);
}

test('under_attack: a verified Googlebot reaches the origin, a forged one and a browser UA are challenged', async () => {
  const before = origin.hits('/page');
  const ok = await from(GOOD, '/page', GOOGLEBOT);
  assert.equal(ok.status, 200, ok.text.slice(0, 200));
  assert.equal(origin.hits('/page'), before + 1);
  assert.equal((await from(GOOD, '/page', GOOGLEBOT)).status, 200, 'cached answer');
  const forged = await from(FORGED, '/page', GOOGLEBOT);
  assert.equal(forged.status, 503);
  assert.match(forged.text, /rampart-config/);
  assert.equal((await from(GOOD, '/page', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0')).status, 503, 'only a crawler UA is checked');
  assert.equal(origin.hits('/page'), before + 2);
});

test('rampart.verified_bot in a rule, and the per-zone switch', async () => {
  const r = await node.api<{ id: string }>('PATCH', `/client/v4/zones/${zid}/settings`, { security_level: 'medium' });
  assert.equal(r.status, 200);
  const rule = await node.api<{ id: string }>('POST', `/client/v4/zones/${zid}/firewall/rules`, { expression: 'http.request.uri.path eq "/crawlers-only" and not rampart.verified_bot', action: 'block' });
  assert.equal(rule.status, 200, JSON.stringify(rule.json.errors));
  await settle();
  assert.equal((await from(GOOD, '/crawlers-only', GOOGLEBOT)).status, 200);
  assert.equal((await from(FORGED, '/crawlers-only', GOOGLEBOT)).status, 403);
  await node.api('DELETE', `/client/v4/zones/${zid}/firewall/rules/${rule.json.result.id}`);

  await node.api('PATCH', `/client/v4/zones/${zid}/settings`, { security_level: 'under_attack', verified_bots_skip_challenge: false });
  await settle();
  assert.equal((await from(GOOD, '/page', GOOGLEBOT)).status, 503, 'switch off: verified crawlers are challenged too');
});
