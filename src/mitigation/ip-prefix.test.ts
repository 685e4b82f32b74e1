import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientPrefix } from './ip-prefix.ts';

test('IPv4 binds to the /24', () => {
  assert.equal(clientPrefix('192.0.2.77'), 'v4:192.0.2.0/24');
  assert.equal(clientPrefix('192.0.2.1'), clientPrefix('192.0.2.254'));
  assert.notEqual(clientPrefix('192.0.2.1'), clientPrefix('192.0.3.1'));
});

test('IPv6 binds to the /64, in any spelling', () => {
  assert.equal(clientPrefix('2001:db8:1:2:3:4:5:6'), 'v6:2001:db8:1:2::/64');
  assert.equal(clientPrefix('2001:0db8:0001:0002::ffff'), 'v6:2001:db8:1:2::/64');
  assert.equal(clientPrefix('2001:db8::1'), 'v6:2001:db8:0:0::/64');
  assert.equal(clientPrefix('::1'), 'v6:0:0:0:0::/64');
  assert.equal(clientPrefix('fe80::1%eth0'), 'v6:fe80:0:0:0::/64');
  assert.notEqual(clientPrefix('2001:db8:1:2::1'), clientPrefix('2001:db8:1:3::1'));
});

test('IPv4-mapped IPv6 counts as IPv4', () => {
  assert.equal(clientPrefix('::ffff:192.0.2.9'), 'v4:192.0.2.0/24');
  assert.equal(clientPrefix('::ffff:c000:0209'), 'v4:192.0.2.0/24');
});

test('garbage is bound exactly, never widened', () => {
  assert.equal(clientPrefix('300.1.1.1'), 'raw:300.1.1.1');
  assert.equal(clientPrefix('1.2.3'), 'raw:1.2.3');
  assert.equal(clientPrefix('1:2:3'), 'raw:1:2:3');
  assert.equal(clientPrefix('1::2::3'), 'raw:1::2::3');
  assert.equal(clientPrefix('01.2.3.4'), 'raw:01.2.3.4');
  assert.equal(clientPrefix(''), 'raw:');
});
