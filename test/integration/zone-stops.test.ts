/**
 * Issue 9: "There is no other way to stop serving a zone for what it publishes." This test enumerates every code
 * path that can stop a zone being served and checks that each one needs a legal order or one of the fixed
 * operational reasons (account_request, attack_source, non_payment), recorded and counted in the transparency
 * report. The enumeration is guarded: a new admin route that can remove or disable a zone, a new zone field, a new
 * edge answer that refuses a whole zone, makes this test fail until it is classified here.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ZoneSchema, ZoneSettingsSchema } from '../../src/config/schema.ts';
import { SUSPENSION_REASONS } from '../../src/config/legal.ts';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

let node: TestNode;
let origin: TestOrigin;
before(async () => { origin = await startOrigin(); node = await startTestNode(); });
after(async () => { await node.stop(); await origin.close(); });

const settle = async (): Promise<void> => {
  const v = (await node.api<{ config_version: number }>('GET', '/client/v4/system/status')).json.result.config_version;
  await node.waitForVersion(v);
};

test('the fixed list of reasons is exactly the three operational ones', () => {
  assert.deepEqual(Object.keys(SUSPENSION_REASONS).sort(), ['account_request', 'attack_source', 'non_payment']);
});

test('every admin route that can remove or disable a zone is classified (a new one fails this test)', () => {
  // routes that act on a zone as a whole, or that can make every request of a zone fail
  const zoneWide = node.routes.filter((r) => r.method !== 'GET' && /^\/client\/v4\/zones\/:id(\/(suspend|unsuspend|settings|origins))?$/.test(r.path)).map((r) => `${r.method} ${r.path}`).sort();
  assert.deepEqual(zoneWide, [
    'DELETE /client/v4/zones/:id', // needs ?reason= (operator) or is the account's own request: tested below
    'PATCH /client/v4/zones/:id', // edits the zone's own settings: no field stops serving (checked below)
    'PATCH /client/v4/zones/:id/settings', // same
    'POST /client/v4/zones/:id/suspend', // needs one of the reasons: tested below
    'POST /client/v4/zones/:id/unsuspend', // lifts a suspension
    'PUT /client/v4/zones/:id/origins', // the site's own origin: a dead origin is a 52x from the site, not the edge refusing it
  ].sort());
  // legal orders are the only other route that refuses a zone's content (451)
  assert.ok(node.routes.some((r) => r.method === 'POST' && r.path === '/client/v4/legal/orders'));
  // and a reviewed sign-up may be denied, only for the fixed operational reasons (test/integration/onboarding.test.ts)
  const elsewhere = node.routes.filter((r) => r.method !== 'GET' && /\/(deny|suspend|remove|disable|block)\b/.test(r.path) && !r.path.startsWith('/client/v4/zones/:id/')).map((r) => `${r.method} ${r.path}`).sort();
  assert.deepEqual(elsewhere, ['POST /client/v4/reviews/:id/deny']);
});

test('no zone field or setting turns a zone off: the only way is `suspension`, set by /suspend with a reason', () => {
  // activation (pending/active/moved) and review (pending/approved) are informational: a zone serves in every state
  assert.deepEqual(Object.keys(ZoneSchema.shape).sort(), ['account', 'activation', 'aliases', 'cache', 'certificate', 'created_on', 'id', 'modified_on', 'name', 'pool', 'review', 'settings', 'source', 'suspension', 'waf'].sort());
  // every setting, by name: none of them refuses the zone's traffic (paused passes it straight through)
  const known = ['always_use_https', 'hsts', 'secondaries', 'security_level', 'paused', 'compression', 'email_obfuscation', 'hotlink_protection', 'hotlink_allow', 'verified_bots_skip_challenge', 'origin_max_concurrency', 'origin_queue', 'origin_queue_timeout_ms', 'origin_pull_secret', 'templates', 'auto_mitigation', 'abuse_contact'];
  const unknown = Object.keys(ZoneSettingsSchema.shape).filter((k) => !known.includes(k));
  assert.deepEqual(unknown, [], `new zone settings must be classified here: ${unknown.join(', ')}`);
});

test('suspension: refused without a reason or with a content reason; 503 with the reason; counted; lifted', async () => {
  const z = (await node.addZone('stop.test', [`127.0.0.1:${origin.port}`])).id;
  for (const body of [{}, { reason: 'content' }, { reason: 'politics' }, { reason: 'copyright' }]) {
    const r = await node.api('POST', `/client/v4/zones/${z}/suspend`, body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(JSON.stringify(r.json.errors), /account_request, attack_source, non_payment/);
  }
  assert.equal((await node.get('stop.test', '/')).status, 200, 'still served');
  const ok = await node.api<{ status: string }>('POST', `/client/v4/zones/${z}/suspend`, { reason: 'attack_source', note: 'the origin was sending a flood at third parties' });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.result.status, 'suspended');
  await settle();
  const page = await node.get('stop.test', '/any/path');
  assert.equal(page.status, 503);
  assert.match(page.text, /suspended it because the site&#39;s own traffic is an attack on others/);
  assert.match(page.text, /never suspended for what they publish/);
  const json = await node.get('stop.test', '/', { headers: { accept: 'application/json' } });
  assert.equal((JSON.parse(json.text) as { suspension: { reason: string } }).suspension.reason, 'attack_source');
  const report = await node.api<{ suspensions: { suspended_by_reason: Record<string, number>; suspended_now: string[] } }>('GET', `/client/v4/transparency?period=${new Date().getUTCFullYear()}`);
  assert.equal(report.json.result.suspensions.suspended_by_reason['attack_source'], 1);
  assert.deepEqual(report.json.result.suspensions.suspended_now, ['stop.test']);
  // the audit log names who and why
  const log = await node.api<Array<{ path: string; detail: unknown }>>('GET', '/client/v4/audit/log?limit=1000');
  assert.ok(log.json.result.some((e) => e.path === `/client/v4/zones/${z}/suspend` && JSON.stringify(e.detail).includes('attack_source')), 'recorded in the audit log');
  assert.equal((await node.api('POST', `/client/v4/zones/${z}/unsuspend`)).status, 200);
  await settle();
  assert.equal((await node.get('stop.test', '/')).status, 200, 'served again');
});

test('removal: the operator must give a reason; the removal is kept for the transparency report', async () => {
  const z = (await node.addZone('gone.test', [`127.0.0.1:${origin.port}`])).id;
  const none = await node.api('DELETE', `/client/v4/zones/${z}`);
  assert.equal(none.status, 400);
  assert.match(JSON.stringify(none.json.errors), /query\.reason: the operator must say why/);
  const bad = await node.api('DELETE', `/client/v4/zones/${z}?reason=content`);
  assert.equal(bad.status, 400);
  assert.equal((await node.get('gone.test', '/')).status, 200, 'still served after refused removals');
  assert.equal((await node.api('DELETE', `/client/v4/zones/${z}?reason=non_payment&note=invoice%2042`)).status, 200);
  await settle();
  assert.equal((await node.get('gone.test', '/')).status, 404);
  const report = await node.api<{ suspensions: { removed_by_reason: Record<string, number> } }>('GET', `/client/v4/transparency?period=${new Date().getUTCFullYear()}`);
  assert.equal(report.json.result.suspensions.removed_by_reason['non_payment'], 1);
});

test('a legal order is the way to refuse content: 451, everything else served', async () => {
  const z = (await node.addZone('order.test', [`127.0.0.1:${origin.port}`])).id;
  const o = await node.api('POST', '/client/v4/legal/orders', { zone: 'order.test', court: 'Landgericht Berlin', case: '27 O 1/26', date: '2026-11-01', jurisdiction: ['DE'], document_base64: Buffer.from('%PDF order').toString('base64'), paths: ['/article'] });
  assert.equal(o.status, 200, JSON.stringify(o.json.errors));
  await settle();
  assert.equal((await node.get('order.test', '/article')).status, 451);
  assert.equal((await node.get('order.test', '/other')).status, 200);
  // contesting an order keeps it in force (complied with while contested) and is counted
  const list = await node.api<Array<{ id: string; zone: string }>>('GET', '/client/v4/legal/orders?zone=order.test');
  const oid = list.json.result[0]!.id;
  assert.equal((await node.api('POST', `/client/v4/legal/orders/${oid}/contest`, {})).status, 400, 'a note is required');
  assert.equal((await node.api('POST', `/client/v4/legal/orders/${oid}/contest`, { note: 'appeal filed at the Kammergericht on 2026-11-20' })).status, 200);
  await settle();
  assert.equal((await node.get('order.test', '/article')).status, 451, 'still in force while contested');
  const cr = await node.api<{ orders: { contested: number; complied_with: number; received: number } }>('GET', `/client/v4/transparency?period=${new Date().getUTCFullYear()}`);
  assert.equal(cr.json.result.orders.contested, 1);
  assert.equal(cr.json.result.orders.complied_with, cr.json.result.orders.received);
  // removing the zone keeps the order on the record (the transparency report still counts it)
  const before = (await node.api<{ orders: { received: number } }>('GET', `/client/v4/transparency?period=${new Date().getUTCFullYear()}`)).json.result.orders.received;
  const z2 = (await node.addZone('order2.test', [`127.0.0.1:${origin.port}`])).id;
  await node.api('POST', '/client/v4/legal/orders', { zone: 'order2.test', court: 'Tribunal', case: 'X-1', date: '2026-11-03', jurisdiction: ['FR'], document_base64: Buffer.from('%PDF').toString('base64') });
  assert.equal((await node.api('DELETE', `/client/v4/zones/${z2}?reason=account_request`)).status, 200);
  const after = (await node.api<{ orders: { received: number } }>('GET', `/client/v4/transparency?period=${new Date().getUTCFullYear()}`)).json.result.orders.received;
  assert.equal(after, before + 1, 'the removed zone\'s order is still counted');
  void z;
});

test('requests for user data are recorded with their outcome; the public transparency page on the edge shows it all', async () => {
  const bad = await node.api('POST', '/client/v4/legal/data-requests', { authority: 'Police', date: '2026-13-01', jurisdiction: ['DE'] });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.json.errors), /date/);
  const dr = await node.api<{ id: string; outcome: string }>('POST', '/client/v4/legal/data-requests', { authority: 'Staatsanwaltschaft Berlin', case: '276 Js 1/26', date: '2026-11-02', jurisdiction: ['DE'], zones: ['order.test'] });
  assert.equal(dr.status, 200, JSON.stringify(dr.json.errors));
  assert.equal(dr.json.result.outcome, 'pending');
  const ans = await node.api<{ outcome: string; answered_at: string }>('PATCH', `/client/v4/legal/data-requests/${dr.json.result.id}`, { outcome: 'refused', note: 'no valid MLAT request' });
  assert.equal(ans.json.result.outcome, 'refused');
  assert.ok(ans.json.result.answered_at);
  const rep = await node.api<{ data_requests: { received: number; by_outcome: Record<string, number> } }>('GET', `/client/v4/transparency?period=${new Date().getUTCFullYear()}`);
  assert.deepEqual(rep.json.result.data_requests.by_outcome, { refused: 1 });
  // the page is refreshed on every legal change and served by the edge: on a zone at /.rampart/transparency,
  // on a hostname that is no zone's at /transparency
  let page = { status: 0, text: '', headers: {} as Record<string, unknown> };
  for (let i = 0; i < 100; i++) {
    page = await node.get('operator.example', '/transparency');
    if (page.status === 200 && page.text.includes('By outcome') && page.text.includes('refused')) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(page.status, 200);
  assert.match(page.text, /Landgericht Berlin/);
  assert.match(page.text, /<td>refused<\/td><td>1<\/td>/);
  assert.match(page.text, /Signed head of the tamper-evident audit log: entry \d+/);
  assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
  assert.equal((await node.get('order.test', '/.rampart/transparency')).status, 200);
  assert.equal((await node.get('operator.example', '/other')).status, 404, 'nothing else on unknown hosts');
});

test('a settings PATCH changes only the settings it names (no silent reset to defaults)', async () => {
  const z = (await node.addZone('patch.test', [`127.0.0.1:${origin.port}`], { settings: { paused: true, security_level: 'high' } })).id;
  await node.api('PATCH', `/client/v4/zones/${z}/settings`, { security_level: 'low' });
  await node.api('PATCH', `/client/v4/zones/${z}`, { settings: { email_obfuscation: false } });
  const s = await node.api<Array<{ id: string; value: unknown }>>('GET', `/client/v4/zones/${z}/settings`);
  const get = (k: string): unknown => s.json.result.find((x) => x.id === k)?.value;
  assert.equal(get('security_level'), 'low');
  assert.equal(get('paused'), true, 'paused kept');
  assert.equal(get('email_obfuscation'), false);
  // the audit entry has the state before and after the change
  const log = await node.api<Array<{ path: string; method: string; detail: { before?: unknown; after?: unknown } }>>('GET', '/client/v4/audit/log?limit=1000');
  const e = log.json.result.find((x) => x.method === 'PATCH' && x.path === `/client/v4/zones/${z}/settings`);
  const level = (v: unknown): unknown => (v as Array<{ id: string; value: unknown }>).find((x) => x.id === 'security_level')?.value;
  assert.equal(level(e?.detail.before), 'high');
  assert.equal(level(e?.detail.after), 'low');
});
