import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../lib/clock.ts';
import { ResponseRateLimiter, rrlConfigSchema } from './rrl.ts';

test('RRL sends up to the rate, then slips every 2nd and drops the rest', () => {
  const clock = new ManualClock();
  const rrl = new ResponseRateLimiter({ responsesPerSecond: 5, slip: 2, window: 5 }, clock);
  const got = Array.from({ length: 11 }, () => rrl.check('192.0.2.7', 'answer', 'www.shop.test/A'));
  assert.deepEqual(got, ['send', 'send', 'send', 'send', 'send', 'drop', 'slip', 'drop', 'slip', 'drop', 'slip']);
});

test('RRL credits come back with time, up to the rate', () => {
  const clock = new ManualClock();
  const rrl = new ResponseRateLimiter({ responsesPerSecond: 2, slip: 0, window: 1 }, clock);
  assert.equal(rrl.check('192.0.2.1', 'answer', 'a/A'), 'send');
  assert.equal(rrl.check('192.0.2.1', 'answer', 'a/A'), 'send');
  assert.equal(rrl.check('192.0.2.1', 'answer', 'a/A'), 'drop');
  clock.advance(500); // +1 credit, but the balance was -1 → 0
  assert.equal(rrl.check('192.0.2.1', 'answer', 'a/A'), 'drop');
  clock.advance(10_000); // long pause: debt forgiven, balance capped at the rate
  assert.equal(rrl.check('192.0.2.1', 'answer', 'a/A'), 'send');
  assert.equal(rrl.check('192.0.2.1', 'answer', 'a/A'), 'send');
  assert.equal(rrl.check('192.0.2.1', 'answer', 'a/A'), 'drop');
});

test('RRL accounts are per /24 and per answer', () => {
  const clock = new ManualClock();
  const rrl = new ResponseRateLimiter({ responsesPerSecond: 1, slip: 0 }, clock);
  assert.equal(rrl.check('192.0.2.1', 'answer', 'a/A'), 'send');
  assert.equal(rrl.check('192.0.2.200', 'answer', 'a/A'), 'drop', 'same /24 shares the account');
  assert.equal(rrl.check('::ffff:192.0.2.9', 'answer', 'a/A'), 'drop', 'IPv4-mapped address is the same /24');
  assert.equal(rrl.check('192.0.3.1', 'answer', 'a/A'), 'send', 'another /24');
  assert.equal(rrl.check('192.0.2.1', 'answer', 'b/A'), 'send', 'another answer');
  assert.equal(rrl.check('192.0.2.1', 'nxdomain', 'shop.test'), 'send');
  assert.equal(rrl.check('2001:db8:0:1::1', 'answer', 'a/A'), 'send');
  assert.equal(rrl.check('2001:db8:0:ff::2', 'answer', 'a/A'), 'drop', 'same /56');
  assert.equal(rrl.check('2001:db8:0:100::2', 'answer', 'a/A'), 'send', 'another /56');
});

test('RRL slip 1 truncates every limited response; memory is bounded', () => {
  const clock = new ManualClock();
  const rrl = new ResponseRateLimiter({ responsesPerSecond: 1, slip: 1, maxEntries: 3 }, clock);
  rrl.check('10.0.0.1', 'answer', 'x');
  assert.equal(rrl.check('10.0.0.1', 'answer', 'x'), 'slip');
  assert.equal(rrl.check('10.0.0.1', 'answer', 'x'), 'slip');
  for (let i = 0; i < 10; i++) rrl.check(`10.0.${i}.1`, 'answer', 'y');
  assert.equal(rrl.size, 3);
});

test('rrlConfigSchema validates the configuration', () => {
  assert.ok(rrlConfigSchema.safeParse({ responsesPerSecond: 5, slip: 2, window: 15 }).success);
  assert.ok(!rrlConfigSchema.safeParse({ responsesPerSecond: -1 }).success);
  assert.ok(!rrlConfigSchema.safeParse({ slipp: 2 }).success, 'unknown keys rejected');
});
