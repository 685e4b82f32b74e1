import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../lib/clock.ts';
import {
  DEFAULT_TOKEN_TTL_MS, issueChallengeToken, safeLocalPath, verifyChallengeSolution, verifyChallengeToken,
} from './challenge-token.ts';
import type { IssueChallengeInput } from './challenge-token.ts';
import { KeyRing } from './key-ring.ts';
import { solveWork } from './proof-of-work.ts';
import { CountingRandom, MapReplayStore, SECRET_A, SECRET_B } from './test-support.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) Test/1.0';
const input: IssueChallengeInput = {
  zone: 'shop.test', method: 'get', url: '/cart?x=1', ip: '192.0.2.10', ua: UA, policyId: 'pol-1', difficulty: 8,
};

function setup() {
  const clock = new ManualClock();
  const keyRing = new KeyRing('k1', SECRET_A);
  const random = new CountingRandom();
  const replayStore = new MapReplayStore(clock);
  const { token, claims } = issueChallengeToken(input, { keyRing, clock, random });
  const ctx = { keyRing, now: clock.now(), zone: 'shop.test', ip: '192.0.2.200', ua: UA, policyId: 'pol-1', replayStore };
  return { clock, keyRing, random, replayStore, token, claims, ctx };
}

test('round trip: the claims come back as issued', () => {
  const { token, claims, ctx } = setup();
  assert.match(token, /^v1\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  const r = verifyChallengeToken(token, ctx);
  assert.ok(r.ok);
  assert.deepEqual(r.claims, claims);
  assert.equal(r.claims.method, 'GET');
  assert.equal(r.claims.url, '/cart?x=1');
  assert.equal(r.claims.ipPrefix, 'v4:192.0.2.0/24');
  assert.equal(r.claims.difficulty, 8);
  assert.equal(r.claims.nonce.length, 22);
});

test('tampering with any field, the key id or the MAC breaks the signature', () => {
  const { token, ctx } = setup();
  const [v, kid, payload, mac] = token.split('.') as [string, string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const changed: Record<string, unknown> = {
    zone: 'evil.test', method: 'POST', url: '/admin', ipPrefix: 'v4:203.0.113.0/24', uaHash: 'AAAAAAAAAAAAAAAAAAAAAA',
    policyId: 'pol-2', difficulty: 0, issuedAt: (claims.issuedAt as number) + 1, nonce: 'x',
  };
  assert.deepEqual(Object.keys(changed).sort(), Object.keys(claims).sort());
  for (const [field, value] of Object.entries(changed)) {
    const forged = Buffer.from(JSON.stringify({ ...claims, [field]: value })).toString('base64url');
    const r = verifyChallengeToken(`${v}.${kid}.${forged}.${mac}`, ctx);
    assert.deepEqual(r, { ok: false, reason: 'bad_signature' }, field);
  }
  const flipped = mac.slice(0, -2) + (mac.endsWith('AA') ? 'BA' : 'AA');
  assert.deepEqual(verifyChallengeToken(`${v}.${kid}.${payload}.${flipped}`, ctx), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifyChallengeToken(`${v}.k2.${payload}.${mac}`, ctx), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifyChallengeToken(`${v}.${kid}.${payload}.${mac.slice(0, 10)}`, ctx), { ok: false, reason: 'bad_signature' });
});

test('malformed tokens', () => {
  const { ctx, token } = setup();
  for (const bad of ['', 'v1', 'v1.k1.a', 'v2.k1.a.b', 'v1.k1.a.b.c', 'v1..e30.AA', 'v1.k1.e30.A*A', 'x'.repeat(5000)]) {
    assert.deepEqual(verifyChallengeToken(bad, ctx), { ok: false, reason: 'malformed' }, bad.slice(0, 20));
  }
  assert.equal(verifyChallengeToken(token.replace('v1.', 'v1 .'), ctx).ok, false);
});

test('a well-signed payload with wrong types is malformed', () => {
  const { keyRing, ctx } = setup();
  // Signed with the real key, but the difficulty is not an integer.
  const token = issueChallengeToken({ ...input, difficulty: 1.5 }, { keyRing, clock: new ManualClock(), random: new CountingRandom() }).token;
  assert.deepEqual(verifyChallengeToken(token, ctx), { ok: false, reason: 'malformed' });
});

test('expiry follows the injected clock (default 5 minutes)', () => {
  const { token, clock, ctx } = setup();
  clock.advance(DEFAULT_TOKEN_TTL_MS - 1);
  assert.equal(verifyChallengeToken(token, { ...ctx, now: clock.now() }).ok, true);
  clock.advance(1);
  const r = verifyChallengeToken(token, { ...ctx, now: clock.now() });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'expired');
  assert.equal(verifyChallengeToken(token, { ...ctx, now: clock.now(), ttlMs: 10 * 60_000 }).ok, true);
  // Issued far in the future (beyond clock skew): refused too.
  assert.equal(verifyChallengeToken(token, { ...ctx, now: ctx.now - 60_000 }).ok, false);
});

test('bindings: wrong zone, prefix, UA and policy are refused; same /24 is fine', () => {
  const { token, ctx } = setup();
  const reason = (r: ReturnType<typeof verifyChallengeToken>) => (r.ok ? 'ok' : r.reason);
  assert.equal(reason(verifyChallengeToken(token, { ...ctx, zone: 'other.test' })), 'wrong_zone');
  assert.equal(reason(verifyChallengeToken(token, { ...ctx, ip: '192.0.3.10' })), 'wrong_prefix');
  assert.equal(reason(verifyChallengeToken(token, { ...ctx, ua: UA + 'x' })), 'wrong_ua');
  assert.equal(reason(verifyChallengeToken(token, { ...ctx, policyId: 'pol-2' })), 'wrong_policy');
  assert.equal(reason(verifyChallengeToken(token, { ...ctx, ip: '192.0.2.99' })), 'ok');
});

test('key rotation: an old key id verifies until it is removed', () => {
  const { token, keyRing, ctx } = setup();
  keyRing.add('k2', SECRET_B);
  keyRing.setPrimary('k2');
  const fresh = issueChallengeToken(input, { keyRing, clock: new ManualClock(), random: new CountingRandom() }).token;
  assert.ok(fresh.startsWith('v1.k2.'));
  assert.equal(verifyChallengeToken(token, ctx).ok, true);
  assert.equal(verifyChallengeToken(fresh, ctx).ok, true);
  keyRing.remove('k1');
  assert.deepEqual(verifyChallengeToken(token, ctx), { ok: false, reason: 'bad_signature' });
  assert.equal(verifyChallengeToken(fresh, ctx).ok, true);
  // Persisted and reloaded, the ring verifies the same.
  const reloaded = KeyRing.fromJSON(JSON.parse(JSON.stringify(keyRing.toJSON())));
  assert.equal(verifyChallengeToken(fresh, { ...ctx, keyRing: reloaded }).ok, true);
  assert.throws(() => keyRing.remove('k2'));
  assert.throws(() => keyRing.add('k3', Buffer.alloc(8)));
});

test('a key of the same id but another secret does not verify', () => {
  const { token, ctx } = setup();
  assert.deepEqual(verifyChallengeToken(token, { ...ctx, keyRing: new KeyRing('k1', SECRET_B) }), { ok: false, reason: 'bad_signature' });
});

test('solution: right work accepted once, replay refused, wrong work refused without burning the token', async () => {
  const { token, ctx } = setup();
  const nonce = solveWork(token, 8);
  assert.ok(nonce !== undefined);
  let wrong = 0;
  while (solveWork(token, 8, 1, wrong) !== undefined) wrong++;
  const bad = await verifyChallengeSolution(token, String(wrong), ctx);
  assert.equal(!bad.ok && bad.reason, 'bad_work');
  assert.equal((await verifyChallengeSolution(token, 'abc', ctx)).ok, false);
  const first = await verifyChallengeSolution(token, nonce, ctx);
  assert.equal(first.ok, true);
  const again = await verifyChallengeSolution(token, nonce, ctx);
  assert.equal(!again.ok && again.reason, 'replayed');
});

test('replay store failure: closed by default, open when configured', async () => {
  const { token, ctx, replayStore } = setup();
  const nonce = solveWork(token, 8) ?? '';
  replayStore.failing = true;
  const closed = await verifyChallengeSolution(token, nonce, ctx);
  assert.equal(!closed.ok && closed.reason, 'store_unavailable');
  assert.equal((await verifyChallengeSolution(token, nonce, { ...ctx, replayFailOpen: true })).ok, true);
});

test('safeLocalPath keeps only local paths', () => {
  assert.equal(safeLocalPath('/a/b?c=d'), '/a/b?c=d');
  for (const bad of ['https://evil.test/', '//evil.test/', '/\\evil.test', 'a', '/x\r\nSet-Cookie: a=b', '']) {
    assert.equal(safeLocalPath(bad), '/');
  }
});
