import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';

let node: TestNode;
let zoneId: string;
before(async () => {
  node = await startTestNode();
  zoneId = (await node.addZone('api.test', ['127.0.0.1:9'])).id;
});
after(async () => { await node.stop(); });

async function call(method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  const r = await request(`http://127.0.0.1:${node.adminPort}${path}`, {
    method: method as Dispatcher.HttpMethod,
    headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.statusCode, text: await r.body.text(), headers: r.headers };
}

const fill = (path: string): string => path.replace(/:[a-z_]+/g, zoneId);

test('every registered route refuses a missing token (401) and a wrong one (403)', async () => {
  const routes = node.routes.filter((r) => r.auth === 'token');
  assert.ok(routes.length >= 12, `routes registered: ${routes.length}`);
  for (const r of routes) {
    const none = await call(r.method, fill(r.path), undefined);
    assert.equal(none.status, 401, `${r.method} ${r.path} without token`);
    assert.match(String(none.headers['www-authenticate']), /Bearer/);
    assert.equal((JSON.parse(none.text) as { success: boolean }).success, false);
    const wrong = await call(r.method, fill(r.path), 'not-the-token');
    assert.equal(wrong.status, 403, `${r.method} ${r.path} with a wrong token`);
    const almost = await call(r.method, fill(r.path), node.adminToken + 'x');
    assert.equal(almost.status, 403, `${r.method} ${r.path} with a token one character longer`);
  }
});

test('only /healthz, /readyz and the dashboard\'s static files are public', () => {
  assert.deepEqual(node.routes.filter((r) => r.auth === 'none').map((r) => r.path).sort(), ['/', '/client/v4/auth/login', '/client/v4/auth/signup', '/dashboard/app.css', '/dashboard/app.js', '/healthz', '/readyz']);
});

test('zones CRUD through the API with the Cloudflare envelope and ?name= filter', async () => {
  const c = await node.api<{ id: string; name: string }>('POST', '/client/v4/zones', { name: 'Crud.Test', origins: ['127.0.0.1:8000'] });
  assert.equal(c.status, 200);
  assert.equal(c.json.success, true);
  assert.equal(c.json.result.name, 'crud.test');
  assert.match(c.json.result.id, /^[0-9a-f]{32}$/);
  const byName = await node.api<Array<{ id: string }>>('GET', '/client/v4/zones?name=crud.test');
  assert.equal(byName.json.result.length, 1);
  assert.equal(byName.json.result_info?.['total_count'], 1);
  const dup = await node.api('POST', '/client/v4/zones', { name: 'crud.test' });
  assert.equal(dup.status, 409);
  assert.match(dup.json.errors[0]!.message, /already exists/);
  const patch = await node.api<{ settings: { security_level: string } }>('PATCH', `/client/v4/zones/${c.json.result.id}`, { settings: { security_level: 'high' } });
  assert.equal(patch.json.result.settings.security_level, 'high');
  const settings = await node.api<Array<{ id: string; value: unknown }>>('GET', `/client/v4/zones/${c.json.result.id}/settings`);
  assert.deepEqual(settings.json.result.find((s) => s.id === 'security_level')?.value, 'high');
  const del = await node.api('DELETE', `/client/v4/zones/${c.json.result.id}?reason=account_request`);
  assert.equal(del.status, 200);
  const gone = await node.api('GET', `/client/v4/zones/${c.json.result.id}`);
  assert.equal(gone.status, 404);
});

test('pagination with result_info', async () => {
  for (let i = 0; i < 5; i++) await node.api('POST', '/client/v4/zones', { name: `page${i}.test` });
  const p = await node.api<Array<{ name: string }>>('GET', '/client/v4/zones?per_page=2&page=2');
  assert.equal(p.json.result.length, 2);
  assert.equal(p.json.result_info?.['page'], 2);
  assert.equal(p.json.result_info?.['per_page'], 2);
  assert.ok((p.json.result_info?.['total_pages'] ?? 0) >= 3);
  const bad = await node.api('GET', '/client/v4/zones?per_page=0');
  assert.equal(bad.status, 400);
  assert.match(bad.json.errors[0]!.message, /per_page/);
});

test('invalid input is refused with a message naming the field, and changes nothing', async () => {
  const before = await node.api<unknown[]>('GET', '/client/v4/zones?per_page=1000');
  const bad = await node.api('POST', '/client/v4/zones', { name: 'ok.test', origins: ['127.0.0.1:8000', 'not an address'] });
  assert.equal(bad.status, 400);
  assert.match(bad.json.errors[0]!.message, /origins\[1\]/);
  const unknown = await node.api('POST', '/client/v4/zones', { name: 'ok2.test', colour: 'blue' });
  assert.equal(unknown.status, 400);
  assert.match(unknown.json.errors[0]!.message, /colour/);
  const badName = await node.api('POST', '/client/v4/zones', { name: 'bad_name!' });
  assert.equal(badName.status, 400);
  assert.match(badName.json.errors[0]!.message, /name/);
  const badJson = await call('POST', '/client/v4/zones', node.adminToken, undefined);
  assert.equal(badJson.status, 400);
  const r = await request(`http://127.0.0.1:${node.adminPort}/client/v4/zones`, { method: 'POST', headers: { authorization: `Bearer ${node.adminToken}`, 'content-type': 'application/json' }, body: '{"name": ' });
  assert.equal(r.statusCode, 400);
  assert.match(await r.body.text(), /not valid JSON/);
  const after = await node.api<unknown[]>('GET', '/client/v4/zones?per_page=1000');
  assert.equal(after.json.result.length, before.json.result.length);
});

test('unknown routes give 404 and wrong methods 405 with Allow', async () => {
  const nf = await call('GET', '/client/v4/nope', node.adminToken);
  assert.equal(nf.status, 404);
  const na = await call('PUT', '/client/v4/zones', node.adminToken, {});
  assert.equal(na.status, 405);
  assert.match(String(na.headers['allow']), /GET/);
});

test('/openapi.json documents every route with its request schema', async () => {
  const r = await node.api('GET', '/openapi.json');
  const doc = r.json as unknown as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> };
  assert.equal(doc.openapi, '3.1.0');
  for (const route of node.routes) {
    const p = route.path.replace(/:([a-z_]+)/g, '{$1}');
    assert.ok(doc.paths[p]?.[route.method.toLowerCase()], `${route.method} ${route.path} documented`);
  }
  assert.ok(doc.paths['/client/v4/zones']?.['post']?.requestBody);
});

test('healthz, readyz and status', async () => {
  assert.equal((await call('GET', '/healthz', undefined)).status, 200);
  assert.equal((await call('GET', '/readyz', undefined)).status, 200);
  const st = await node.api<{ config_version: number; zones: number; listeners: Record<string, string> }>('GET', '/client/v4/system/status');
  assert.ok(st.json.result.config_version > 0);
  assert.ok(st.json.result.zones >= 1);
  assert.match(st.json.result.listeners['http']!, /^127\.0\.0\.1:\d+$/);
});
