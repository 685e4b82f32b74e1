import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../lib/clock.ts';
import {
  DEFAULT_CLEARANCE_TTL_MS, cookieValues, issueClearance, signClearance, verifyClearance,
} from './clearance-cookie.ts';
import { issueChallengeToken } from './challenge-token.ts';
import { KeyRing } from './key-ring.ts';
import { CountingRandom, SECRET_A, SECRET_B } from './test-support.ts';

const UA = 'Mozilla/5.0 Test';
function setup() {
  const clock = new ManualClock();
  const keyRing = new KeyRing('k1', SECRET_A);
  const base = { zone: 'shop.test', ip: '2001:db8:1:2::10', ua: UA, policyId: 'pol-1', now: clock.now() };
  const value = signClearance(base, keyRing);
  const ctx = { keyRing, now: clock.now(), zone: 'shop.test', ip: '2001:db8:1:2:ffff::1', ua: UA, policyId: 'pol-1' };
  return { clock, keyRing, base, value, ctx };
}
const reason = (r: ReturnType<typeof verifyClearance>) => (r.ok ? 'ok' : r.reason);

test('Set-Cookie attributes', () => {
  const { base, keyRing } = setup();
  const http = issueClearance({ ...base, https: false }, keyRing);
  assert.match(http, /^rampart_clearance=v1\.k1\.[\w-]+\.[\w-]+; Path=\/; Max-Age=1800; HttpOnly; SameSite=Lax$/);
  const https = issueClearance({ ...base, https: true, cookieName: 'cf_clear', ttlMs: 60_000 }, keyRing);
  assert.match(https, /^cf_clear=v1\.[^;]+; Path=\/; Max-Age=60; HttpOnly; SameSite=Lax; Secure$/);
  assert.throws(() => issueClearance({ ...base, https: false, cookieName: 'bad name' }, keyRing));
});

test('a fresh clearance verifies from the same /64 and UA', () => {
  const { value, ctx } = setup();
  const r = verifyClearance(value, ctx);
  assert.ok(r.ok);
  assert.equal(r.claims.ipPrefix, 'v6:2001:db8:1:2::/64');
  assert.equal(r.claims.expiresAt - r.claims.issuedAt, DEFAULT_CLEARANCE_TTL_MS);
});

test('expiry with the manual clock', () => {
  const { value, ctx, clock } = setup();
  clock.advance(DEFAULT_CLEARANCE_TTL_MS - 1);
  assert.equal(reason(verifyClearance(value, { ...ctx, now: clock.now() })), 'ok');
  clock.advance(1);
  assert.equal(reason(verifyClearance(value, { ...ctx, now: clock.now() })), 'expired');
});

test('replay from another prefix, zone, UA or policy fails', () => {
  const { value, ctx } = setup();
  assert.equal(reason(verifyClearance(value, { ...ctx, ip: '2001:db8:1:3::10' })), 'wrong_prefix');
  assert.equal(reason(verifyClearance(value, { ...ctx, ip: '192.0.2.1' })), 'wrong_prefix');
  assert.equal(reason(verifyClearance(value, { ...ctx, zone: 'blog.test' })), 'wrong_zone');
  assert.equal(reason(verifyClearance(value, { ...ctx, ua: 'curl/8' })), 'wrong_ua');
  assert.equal(reason(verifyClearance(value, { ...ctx, policyId: 'pol-2' })), 'wrong_policy');
});

test('tampered, foreign and malformed cookies', () => {
  const { value, ctx, keyRing } = setup();
  const [v, kid, payload, mac] = value.split('.') as [string, string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  for (const field of Object.keys(claims)) {
    const bumped = typeof claims[field] === 'number' ? (claims[field] as number) + 1e9 : 'x';
    const forged = Buffer.from(JSON.stringify({ ...claims, [field]: bumped })).toString('base64url');
    assert.equal(reason(verifyClearance(`${v}.${kid}.${forged}.${mac}`, ctx)), 'bad_signature', field);
  }
  assert.equal(reason(verifyClearance(value, { ...ctx, keyRing: new KeyRing('k1', SECRET_B) })), 'bad_signature');
  assert.equal(reason(verifyClearance('garbage', ctx)), 'malformed');
  assert.equal(reason(verifyClearance('', ctx)), 'malformed');
  // A challenge token signed with the same key is not a clearance (purpose separation).
  const token = issueChallengeToken({
    zone: 'shop.test', method: 'GET', url: '/', ip: ctx.ip, ua: UA, policyId: 'pol-1', difficulty: 1,
  }, { keyRing, clock: new ManualClock(), random: new CountingRandom() }).token;
  assert.equal(reason(verifyClearance(token, ctx)), 'bad_signature');
});

test('key rotation keeps live clearances valid until the old key is removed', () => {
  const { value, ctx, keyRing } = setup();
  keyRing.add('k2', SECRET_B);
  keyRing.setPrimary('k2');
  assert.equal(reason(verifyClearance(value, ctx)), 'ok');
  keyRing.remove('k1');
  assert.equal(reason(verifyClearance(value, ctx)), 'bad_signature');
});

test('cookieValues finds every value of the name', () => {
  assert.deepEqual(cookieValues('a=1; rampart_clearance=x; b=2; rampart_clearance="y"', 'rampart_clearance'), ['x', 'y']);
  assert.deepEqual(cookieValues(undefined, 'a'), []);
  assert.deepEqual(cookieValues('xa=1; a =2', 'a'), ['2']);
});
