import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFingerprint, fingerprintOf, pathOf, prefixOf, uaOf } from './traits.ts';

test('source prefixes: /24 for IPv4 and mapped IPv4, /64 for IPv6', () => {
  assert.equal(prefixOf('203.0.113.77'), '203.0.113.0/24');
  assert.equal(prefixOf('::ffff:203.0.113.77'), '203.0.113.0/24');
  assert.equal(prefixOf('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  assert.equal(prefixOf('2001:db8::1'), '2001:db8:0:0::/64');
});

test('path drops the query and is capped', () => {
  assert.equal(pathOf('/a/b?x=1'), '/a/b');
  assert.equal(pathOf('/'), '/');
  assert.equal(pathOf('/' + 'x'.repeat(1000)).length, 256);
  assert.equal(uaOf(undefined), '');
  assert.equal(uaOf('u'.repeat(300)).length, 256);
});

test('fingerprint: header order, name case and protocol count; values do not', () => {
  const a = fingerprintOf(['Host', 'x', 'User-Agent', 'u', 'Accept', '*/*'], 'h1.1');
  assert.match(a, /^[0-9a-f]{8}$/);
  assert.equal(fingerprintOf(['Host', 'y', 'User-Agent', 'other', 'Accept', 'text/html'], 'h1.1'), a);
  assert.notEqual(fingerprintOf(['User-Agent', 'u', 'Host', 'x', 'Accept', '*/*'], 'h1.1'), a);
  assert.notEqual(fingerprintOf(['host', 'x', 'user-agent', 'u', 'accept', '*/*'], 'h1.1'), a);
  assert.notEqual(fingerprintOf(['Host', 'x', 'User-Agent', 'u', 'Accept', '*/*'], 'tls1.3/h2'), a);
  assert.notEqual(fingerprintOf(['Host', 'x', 'User-Agent', 'u'], 'h1.1'), a);
});

test('a fingerprint described for people: header names in order and the protocol', () => {
  assert.equal(describeFingerprint(['Host', 'x', 'User-Agent', 'u', 'accept', '*/*'], '2.0/TLSv1.3/h2'), 'Host,User-Agent,accept 2.0/TLSv1.3/h2');
  assert.ok(describeFingerprint(Array.from({ length: 400 }, (_, i) => `X-Header-${i}`), 'h1.1').length <= 512);
});
