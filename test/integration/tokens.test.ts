// Scoped API tokens: the authorisation matrix over the zone routes (no token, wrong token, expired, revoked,
// wrong permission, wrong zone, right), accounts, token verify, and operator-only routes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';

let node: TestNode;
let shop: string;
let other: string;
let foreign: string;
const tokens: Record<string, string> = {};

async function call(method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; json: { success: boolean; result: unknown; errors: Array<{ message: string }> } }> {
  const r = await request(`http://127.0.0.1:${node.adminPort}${path}`, {
    method: method as Dispatcher.HttpMethod,
    headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.statusCode, json: JSON.parse(await r.body.text()) };
}

const ids: Record<string, string> = {};
async function mint(account: string, body: Record<string, unknown>, label: string): Promise<string> {
  const r = await node.api<{ value: string; id: string }>('POST', `/client/v4/accounts/${account}/tokens`, body);
  assert.equal(r.status, 200, JSON.stringify(r.json.errors));
  assert.match(r.json.result.value, /^rpt_/);
  ids[label] = r.json.result.id;
  return r.json.result.value;
}

before(async () => {
  node = await startTestNode();
  assert.equal((await node.api('POST', '/client/v4/accounts', { name: 'acme', email: 'owner@acme.test' })).status, 200);
  assert.equal((await node.api('POST', '/client/v4/accounts', { name: 'umbrella', email: 'it@umbrella.test' })).status, 200);
  shop = (await node.addZone('shop.test', [], { account: 'acme' })).id;
  other = (await node.addZone('other.test', [], { account: 'acme' })).id;
  foreign = (await node.addZone('foreign.test', [], { account: 'umbrella' })).id;
  tokens['read-shop'] = await mint('acme', { permissions: ['zone:read'], zones: ['shop.test'] }, 'read-shop');
  tokens['edit-all'] = await mint('acme', { permissions: ['zone:edit', 'firewall:edit'] }, 'edit-all');
  tokens['purge-shop'] = await mint('acme', { permissions: ['cache:purge'], zones: ['shop.test'] }, 'purge-shop');
  tokens['expired'] = await mint('acme', { permissions: ['zone:read'], expires_on: '1h' }, 'expired');
  tokens['revoked'] = await mint('acme', { permissions: ['zone:read'] }, 'revoked');
  tokens['elsewhere'] = await mint('acme', { permissions: ['zone:read'], ip_ranges: ['192.0.2.0/24'] }, 'elsewhere');
  assert.equal((await node.api('DELETE', `/client/v4/accounts/acme/tokens/${ids['revoked']}`)).status, 200);
});
after(async () => { await node.stop(); });

test('tokens are stored hashed: listing shows no secret', async () => {
  const l = await node.api('GET', '/client/v4/accounts/acme/tokens');
  const text = JSON.stringify(l.json.result);
  for (const v of Object.values(tokens)) assert.ok(!text.includes(v));
});

test('verify answers for a live token, and refuses revoked and off-range ones with the reason (expiry: accounts.test.ts)', async () => {
  const ok = await call('GET', '/client/v4/user/tokens/verify', tokens['read-shop']);
  assert.equal(ok.status, 200);
  assert.equal((ok.json.result as { status: string }).status, 'active');
  const off = await call('GET', '/client/v4/user/tokens/verify', tokens['elsewhere']);
  assert.equal(off.status, 403);
  assert.match(off.json.errors[0]!.message, /address/);
  const rev = await call('GET', '/client/v4/user/tokens/verify', tokens['revoked']);
  assert.equal(rev.status, 403);
  assert.match(rev.json.errors[0]!.message, /revoked/);
});

test('the matrix over zone routes: right token passes, wrong permission or zone is 403, no token 401', async () => {
  type Row = [string, string, string | undefined, number, unknown?];
  const rows: Row[] = [
    ['GET', `/client/v4/zones/${shop}`, undefined, 401],
    ['GET', `/client/v4/zones/${shop}`, 'rpt_not_a_token', 403],
    ['GET', `/client/v4/zones/${shop}`, tokens['read-shop'], 200],
    ['GET', `/client/v4/zones/${other}`, tokens['read-shop'], 403],
    ['GET', `/client/v4/zones/${foreign}`, tokens['edit-all'], 403],
    ['DELETE', `/client/v4/zones/${shop}`, tokens['read-shop'], 403],
    ['PATCH', `/client/v4/zones/${shop}/settings`, tokens['read-shop'], 403, { security_level: 'high' }],
    ['PATCH', `/client/v4/zones/${shop}/settings`, tokens['edit-all'], 200, { security_level: 'high' }],
    ['POST', `/client/v4/zones/${shop}/firewall/rules`, tokens['edit-all'], 200, { expression: 'true', action: 'log' }],
    ['POST', `/client/v4/zones/${shop}/firewall/rules`, tokens['read-shop'], 403, { expression: 'true', action: 'log' }],
    ['POST', `/client/v4/zones/${shop}/purge_cache`, tokens['purge-shop'], 200, { purge_everything: true }],
    ['POST', `/client/v4/zones/${other}/purge_cache`, tokens['purge-shop'], 403, { purge_everything: true }],
    ['GET', `/client/v4/zones/${shop}/security/events`, tokens['read-shop'], 403],
    ['POST', `/client/v4/zones/${shop}/dns_records`, tokens['edit-all'], 403, { type: 'A', name: 'x', content: '192.0.2.1' }],
    ['GET', `/client/v4/zones/${shop}`, tokens['expired'], 200], // not yet expired (1h)
    ['GET', '/client/v4/system/status', tokens['edit-all'], 403],
    ['GET', '/metrics', tokens['edit-all'], 403],
    ['GET', '/client/v4/legal/orders', tokens['edit-all'], 403],
    ['POST', '/client/v4/accounts', tokens['edit-all'], 403, { name: 'x', email: 'x@x.test' }],
    ['GET', '/client/v4/accounts/umbrella/tokens', tokens['edit-all'], 403],
  ];
  for (const [method, path, tok, want, body] of rows) {
    const r = await call(method, path, tok, body);
    assert.equal(r.status, want, `${method} ${path} with ${Object.entries(tokens).find(([, v]) => v === tok)?.[0] ?? tok ?? 'no token'}: ${JSON.stringify(r.json.errors)}`);
  }
});

test('listing zones shows only those in the token\'s scope; a token for all zones adds zones in its own account only', async () => {
  const l = await call('GET', '/client/v4/zones', tokens['read-shop']);
  assert.deepEqual((l.json.result as Array<{ name: string }>).map((z) => z.name), ['shop.test']);
  const all = await call('GET', '/client/v4/zones', tokens['edit-all']);
  assert.deepEqual((all.json.result as Array<{ name: string }>).map((z) => z.name).sort(), ['other.test', 'shop.test']);
  const mk = await call('POST', '/client/v4/zones', tokens['edit-all'], { name: 'new.test' });
  assert.equal(mk.status, 200);
  assert.equal((mk.json.result as { account: string }).account, 'acme');
  const steal = await call('POST', '/client/v4/zones', tokens['edit-all'], { name: 'steal.test', account: 'umbrella' });
  assert.equal(steal.status, 403);
  const narrow = await call('POST', '/client/v4/zones', tokens['read-shop'], { name: 'narrow.test' });
  assert.equal(narrow.status, 403);
});

test('invalid token requests are refused with the field named', async () => {
  const bad = await node.api('POST', '/client/v4/accounts/acme/tokens', { permissions: ['zone:fly'] });
  assert.equal(bad.status, 400);
  assert.match(bad.json.errors[0]!.message, /permissions/);
  const z = await node.api('POST', '/client/v4/accounts/acme/tokens', { permissions: ['zone:read'], zones: ['foreign.test'] });
  assert.equal(z.status, 400);
  assert.match(z.json.errors[0]!.message, /another account/);
  const noacct = await node.api('POST', '/client/v4/zones', { name: 'orphan.test', account: 'nobody' });
  assert.equal(noacct.status, 400);
  assert.match(noacct.json.errors[0]!.message, /no account "nobody"/);
});
