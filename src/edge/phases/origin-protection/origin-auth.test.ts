import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { originAuthHeader, verifyOriginAuth } from './origin-auth.ts';

const SECRET = 'x'.repeat(40);
const NOW = 1_764_000_000_000;

test('header format is t=,ray=,sig= with sig = HMAC-SHA256(secret, t.ray.host)', () => {
  const h = originAuthHeader(SECRET, 'abcd0123abcd0123', 'shop.test', NOW);
  const t = Math.floor(NOW / 1000);
  const sig = createHmac('sha256', SECRET).update(`${t}.abcd0123abcd0123.shop.test`).digest('hex');
  assert.equal(h, `t=${t},ray=abcd0123abcd0123,sig=${sig}`);
  assert.deepEqual(verifyOriginAuth(h, SECRET, 'shop.test', NOW + 10_000), { ok: true, ray: 'abcd0123abcd0123', t });
});

test('verification refuses another host, another secret, stale, malformed, missing', () => {
  const h = originAuthHeader(SECRET, 'r1', 'shop.test', NOW);
  assert.deepEqual(verifyOriginAuth(h, SECRET, 'other.test', NOW), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifyOriginAuth(h, 'y'.repeat(40), 'shop.test', NOW), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifyOriginAuth(h, SECRET, 'shop.test', NOW + 301_000), { ok: false, reason: 'stale' });
  assert.deepEqual(verifyOriginAuth(h.replace('ray=r1', 'ray=r2'), SECRET, 'shop.test', NOW), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifyOriginAuth('t=1,sig=00', SECRET, 'shop.test', NOW), { ok: false, reason: 'malformed' });
  assert.deepEqual(verifyOriginAuth(undefined, SECRET, 'shop.test', NOW), { ok: false, reason: 'missing' });
});
