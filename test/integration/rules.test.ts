import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

let node: TestNode;
let origin: TestOrigin;
let zid: string;
before(async () => {
  node = await startTestNode();
  origin = await startOrigin();
  zid = (await node.addZone('rules.test', [origin.address])).id;
});
after(async () => { await node.stop(); await origin.close(); });

async function from(ip: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const { Agent } = await import('undici');
  const agent = new Agent({ localAddress: ip });
  try {
    const r = await request(`http://127.0.0.1:${node.httpPort}${path}`, { method: method as 'GET', headers: { host: 'rules.test', ...headers }, dispatcher: agent });
    return { status: r.statusCode, headers: r.headers, text: await r.body.text() };
  } finally { await agent.close(); }
}

async function settle(): Promise<void> {
  const st = await node.api<{ config_version: number }>('GET', '/client/v4/system/status');
  await node.waitForVersion(st.json.result.config_version);
}

test('a custom rule blocks by expression with 403, and the block never reaches the origin', async () => {
  const r = await node.api<{ id: string }>('POST', `/client/v4/zones/${zid}/firewall/rules`, { expression: 'http.request.uri.path eq "/admin" and not ip.src in {127.0.5.0/24}', action: 'block' });
  assert.equal(r.status, 200, JSON.stringify(r.json.errors));
  await settle();
  const before = origin.hits('/admin');
  const b = await from('127.0.0.1', '/admin', { accept: 'application/json' });
  assert.equal(b.status, 403);
  assert.match(b.text, /firewall\.block/);
  assert.equal(origin.hits('/admin'), before);
  assert.equal((await from('127.0.5.9', '/admin')).status, 200);
  assert.equal((await from('127.0.0.1', '/other')).status, 200);
  await node.api('DELETE', `/client/v4/zones/${zid}/firewall/rules/${r.json.result.id}`);
});

test('allow and skip rules stop later phases; log rules only record', async () => {
  const allow = await node.api<{ id: string }>('POST', `/client/v4/zones/${zid}/firewall/rules`, [
    { expression: 'http.request.headers["x-office"][0] eq "yes"', action: 'allow', priority: 1 },
    { expression: 'http.request.uri.path contains "/blocked"', action: 'block', priority: 5 },
    { expression: 'http.user_agent contains "curl"', action: 'log', priority: 0 },
  ]);
  assert.equal(allow.status, 200, JSON.stringify(allow.json.errors));
  await node.api('POST', `/client/v4/zones/${zid}/rate_limits`, { expression: 'http.request.uri.path eq "/blocked-rl"', characteristics: ['ip.src'], period: 10, requests: 1, action: 'block', timeout: 0 });
  await settle();
  assert.equal((await from('127.0.0.1', '/blocked')).status, 403);
  assert.equal((await from('127.0.0.1', '/blocked', { 'x-office': 'yes' })).status, 200);
  // allow skips rate limiting too
  for (let i = 0; i < 3; i++) assert.equal((await from('127.0.0.1', '/blocked-rl', { 'x-office': 'yes' })).status, 200);
  assert.equal((await from('127.0.0.1', '/logged', { 'user-agent': 'curl/8' })).status, 200);
  for (const r of allow.json.result as unknown as Array<{ id: string }>) await node.api('DELETE', `/client/v4/zones/${zid}/firewall/rules/${r.id}`);
});

test('a rate limit lets N through per period per IP, then 429 with Retry-After, held for the timeout', async () => {
  const r = await node.api<{ id: string }>('POST', `/client/v4/zones/${zid}/rate_limits`, { expression: 'http.request.uri.path eq "/login"', characteristics: ['ip.src'], period: 10, requests: 5, action: 'block', timeout: 60 });
  assert.equal(r.status, 200, JSON.stringify(r.json.errors));
  await settle();
  const statuses: number[] = [];
  let retry = '';
  for (let i = 0; i < 8; i++) { const x = await from('127.0.6.1', '/login'); statuses.push(x.status); if (x.status === 429) retry = String(x.headers['retry-after']); }
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
  assert.ok(Number(retry) > 50 && Number(retry) <= 60, `retry-after ${retry}`);
  assert.equal((await from('127.0.6.2', '/login')).status, 200, 'another IP has its own count');
  assert.equal((await from('127.0.6.1', '/other')).status, 200, 'other paths are not limited');
});

test('access rules: CIDR and IP block, allow wins by longest prefix, CF-shaped body accepted', async () => {
  const a = await node.api<{ id: string }>('POST', `/client/v4/zones/${zid}/firewall/access_rules/rules`, { mode: 'block', configuration: { target: 'ip_range', value: '127.0.7.0/24' }, notes: 'bad range' });
  assert.equal(a.status, 200, JSON.stringify(a.json.errors));
  const b = await node.api('POST', `/client/v4/zones/${zid}/firewall/access_rules/rules`, { mode: 'allow', target: 'ip', value: '127.0.7.7' });
  assert.equal(b.status, 200);
  await settle();
  assert.equal((await from('127.0.7.3', '/')).status, 403);
  assert.equal((await from('127.0.7.7', '/')).status, 200);
  assert.equal((await from('127.0.8.3', '/')).status, 200);
});

test('a broken expression is refused with its position and changes nothing', async () => {
  const before = await node.api<unknown[]>('GET', `/client/v4/zones/${zid}/firewall/rules`);
  const r = await node.api('POST', `/client/v4/zones/${zid}/firewall/rules`, { expression: 'http.request.uri.path eq', action: 'block' });
  assert.equal(r.status, 400);
  assert.match(r.json.errors[0]!.message, /expression: 1:25: expected a value/);
  const bad = await node.api('POST', `/client/v4/zones/${zid}/firewall/rules`, { expression: 'http.request.uri.pth eq "/"', action: 'block' });
  assert.match(bad.json.errors[0]!.message, /http\.request\.uri\.path/, 'suggests the nearest field');
  const badCidr = await node.api('POST', `/client/v4/zones/${zid}/firewall/access_rules/rules`, { mode: 'block', target: 'cidr', value: '300.1.1.0/24' });
  assert.equal(badCidr.status, 400);
  assert.match(badCidr.json.errors[0]!.message, /value/);
  const badChar = await node.api('POST', `/client/v4/zones/${zid}/rate_limits`, { expression: 'true', characteristics: ['ip.srcx'], period: 10, requests: 1, action: 'block', timeout: 0 });
  assert.equal(badChar.status, 400);
  assert.match(badChar.json.errors[0]!.message, /characteristics/);
  const after = await node.api<unknown[]>('GET', `/client/v4/zones/${zid}/firewall/rules`);
  assert.equal(after.json.result.length, before.json.result.length);
});

test('rules are deleted with their zone', async () => {
  const z = await node.addZone('gone.test', [origin.address]);
  await node.api('POST', `/client/v4/zones/${z.id}/firewall/rules`, { expression: 'true', action: 'block' });
  await node.api('DELETE', `/client/v4/zones/${z.id}?reason=account_request`);
  const z2 = await node.addZone('gone.test', [origin.address]);
  const l = await node.api<unknown[]>('GET', `/client/v4/zones/${z2.id}/firewall/rules`);
  assert.equal(l.json.result.length, 0);
  assert.equal((await node.get('gone.test', '/')).status, 200);
});
