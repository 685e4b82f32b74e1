/**
 * Members sign in with a password (and optionally a TOTP code): a session cookie (HttpOnly, SameSite=Strict) and a
 * CSRF token for changes; roles limit what they may do; failed sign-ins lock out.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { totpCode } from '../../src/control/services/sessions.ts';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';

let node: TestNode;
let base = '';
before(async () => {
  node = await startTestNode();
  base = `http://127.0.0.1:${node.adminPort}`;
  assert.equal((await node.api('POST', '/client/v4/accounts', { name: 'acme', email: 'owner@acme.test' })).status, 200);
  assert.equal((await node.api('POST', '/client/v4/accounts', { name: 'other', email: 'o@other.test' })).status, 200);
  await node.api('POST', '/client/v4/zones', { name: 'shop.acme.test', origins: ['127.0.0.1:9'], account: 'acme' });
  await node.api('POST', '/client/v4/zones', { name: 'x.other.test', origins: ['127.0.0.1:9'], account: 'other' });
});
after(async () => { await node.stop(); });

async function call(method: string, path: string, o: { body?: unknown; cookie?: string; csrf?: string; from?: string } = {}): Promise<{ status: number; json: { success: boolean; errors: Array<{ message: string }>; result: Record<string, unknown> & Array<Record<string, unknown>> }; setCookie: string; retryAfter: string | undefined }> {
  const r = await request(base + path, {
    method: method as 'GET',
    headers: { ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(o.cookie ? { cookie: o.cookie } : {}), ...(o.csrf ? { 'x-csrf-token': o.csrf } : {}) },
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
  });
  const text = await r.body.text();
  const sc = r.headers['set-cookie'];
  return { status: r.statusCode, json: JSON.parse(text), setCookie: Array.isArray(sc) ? sc.join(', ') : sc ?? '', retryAfter: r.headers['retry-after'] as string | undefined };
}

test('members by role; sign in; the cookie reads the account\'s zones; changes need the CSRF token; analysts only read', async () => {
  const weak = await node.api('POST', '/client/v4/accounts/acme/members', { email: 'ann@acme.test', password: 'short', role: 'admin' });
  assert.equal(weak.status, 400);
  assert.match(JSON.stringify(weak.json.errors), /password.*12/);
  assert.equal((await node.api('POST', '/client/v4/accounts/acme/members', { email: 'ann@acme.test', password: 'correct horse battery', role: 'admin' })).status, 200);
  assert.equal((await node.api('POST', '/client/v4/accounts/acme/members', { email: 'al@acme.test', password: 'analyst password 1', role: 'analyst' })).status, 200);
  const bad = await call('POST', '/client/v4/auth/login', { body: { email: 'ann@acme.test', password: 'wrong password!!' } });
  assert.equal(bad.status, 401);
  assert.match(bad.json.errors[0]!.message, /wrong email or password/);
  const ok = await call('POST', '/client/v4/auth/login', { body: { email: 'ann@acme.test', password: 'correct horse battery' } });
  assert.equal(ok.status, 200);
  assert.match(ok.setCookie, /^rampart_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  const cookie = ok.setCookie.split(';')[0]!;
  const csrf = String(ok.json.result['csrf_token']);
  const zones = await call('GET', '/client/v4/zones', { cookie });
  assert.deepEqual(zones.json.result.map((z) => z['name']), ['shop.acme.test'], 'only the account\'s zones');
  assert.equal((await call('GET', '/client/v4/zones/x.other.test', { cookie })).status, 403, 'another account\'s zone');
  const noCsrf = await call('PATCH', '/client/v4/zones/shop.acme.test/settings', { cookie, body: { security_level: 'high' } });
  assert.equal(noCsrf.status, 403);
  assert.match(noCsrf.json.errors[0]!.message, /x-csrf-token/);
  assert.equal((await call('PATCH', '/client/v4/zones/shop.acme.test/settings', { cookie, csrf: 'nope', body: { security_level: 'high' } })).status, 403);
  assert.equal((await call('PATCH', '/client/v4/zones/shop.acme.test/settings', { cookie, csrf, body: { security_level: 'high' } })).status, 200);
  assert.equal((await call('GET', '/client/v4/accounts/acme/members', { cookie })).status, 403, 'an admin is not an owner');
  const al = await call('POST', '/client/v4/auth/login', { body: { email: 'al@acme.test', password: 'analyst password 1' } });
  const alCookie = al.setCookie.split(';')[0]!;
  assert.equal((await call('GET', '/client/v4/zones/shop.acme.test', { cookie: alCookie })).status, 200);
  assert.equal((await call('PATCH', '/client/v4/zones/shop.acme.test/settings', { cookie: alCookie, csrf: String(al.json.result['csrf_token']), body: { security_level: 'low' } })).status, 403, 'analysts only read');
  assert.equal((await call('POST', '/client/v4/auth/logout', { cookie, csrf })).status, 200);
  assert.equal((await call('GET', '/client/v4/zones', { cookie })).status, 401, 'signed out');
});

test('five failures lock the email for 15 minutes (429 + Retry-After), even with the right password', async () => {
  assert.equal((await node.api('POST', '/client/v4/accounts/acme/members', { email: 'bob@acme.test', password: 'bobs real password', role: 'owner' })).status, 200);
  for (let i = 0; i < 5; i++) assert.equal((await call('POST', '/client/v4/auth/login', { body: { email: 'bob@acme.test', password: `guess number ${i}!` } })).status, 401);
  const locked = await call('POST', '/client/v4/auth/login', { body: { email: 'bob@acme.test', password: 'bobs real password' } });
  assert.equal(locked.status, 429);
  assert.ok(Number(locked.retryAfter) > 800, `Retry-After ${locked.retryAfter}`);
});

test('TOTP: set up with a code, then sign-ins need it', async () => {
  assert.equal((await node.api('POST', '/client/v4/accounts/acme/members', { email: 'tia@acme.test', password: 'tia long password', role: 'owner' })).status, 200);
  const s = await call('POST', '/client/v4/auth/login', { body: { email: 'tia@acme.test', password: 'tia long password' } });
  const cookie = s.setCookie.split(';')[0]!;
  const csrf = String(s.json.result['csrf_token']);
  const setup = await call('POST', '/client/v4/auth/totp/setup', { cookie, csrf });
  const secret = String(setup.json.result['secret']);
  assert.match(String(setup.json.result['otpauth_url']), /^otpauth:\/\/totp\/Rampart:tia%40acme\.test\?secret=[A-Z2-7]+&issuer=Rampart$/);
  assert.equal((await call('POST', '/client/v4/auth/totp/enable', { cookie, csrf, body: { code: '000000' === totpCode(secret, Date.now()) ? '111111' : '000000' } })).status, 400);
  assert.equal((await call('POST', '/client/v4/auth/totp/enable', { cookie, csrf, body: { code: totpCode(secret, Date.now()) } })).status, 200);
  const without = await call('POST', '/client/v4/auth/login', { body: { email: 'tia@acme.test', password: 'tia long password' } });
  assert.equal(without.status, 401);
  assert.match(without.json.errors[0]!.message, /six-digit code/);
  const withCode = await call('POST', '/client/v4/auth/login', { body: { email: 'tia@acme.test', password: 'tia long password', totp: totpCode(secret, Date.now()) } });
  assert.equal(withCode.status, 200);
  // RFC 6238 test vector (SHA-1, secret "12345678901234567890", T = 59 s → 94287082, last six digits)
  assert.equal(totpCode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000), '287082');
});

test('public sign-up: a new account with its owner, signed in; a taken email or account is refused and leaves nothing', async () => {
  const s = await call('POST', '/client/v4/auth/signup', { body: { account: 'newco', email: 'founder@newco.test', password: 'a long enough password' } });
  assert.equal(s.status, 200, JSON.stringify(s.json.errors));
  assert.equal(s.json.result['account'], 'newco');
  const cookie = s.setCookie.split(';')[0]!;
  const csrf = String(s.json.result['csrf_token']);
  const z = await call('POST', '/client/v4/zones', { cookie, csrf, body: { name: 'newco.test', origins: ['127.0.0.1:9'] } });
  assert.equal(z.status, 200, JSON.stringify(z.json.errors));
  assert.equal(z.json.result['account'], 'newco', 'the owner adds zones to its own account');
  const taken = await call('POST', '/client/v4/auth/signup', { body: { account: 'other2', email: 'founder@newco.test', password: 'a long enough password' } });
  assert.equal(taken.status, 409);
  assert.equal((await node.api('GET', '/client/v4/accounts/other2')).status, 404, 'no orphan account');
  const bad = await call('POST', '/client/v4/auth/signup', { body: { account: 'Bad Name', email: 'x@y.test', password: 'short' } });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.json.errors), /account/);
});
