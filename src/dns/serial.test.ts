import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextSerial, serialGreater } from './serial.ts';

const NOV25 = Date.UTC(2026, 10, 25, 15, 0, 0);

test('nextSerial starts the day at YYYYMMDD00 and counts up within the day', () => {
  assert.equal(nextSerial(0, NOV25), 2026112500);
  assert.equal(nextSerial(2026112500, NOV25), 2026112501);
  assert.equal(nextSerial(2026112499, new Date(NOV25)), 2026112500);
  assert.equal(nextSerial(2026112400 + 7, NOV25), 2026112500, 'a new day resets nn');
});

test('nextSerial always increases, even past 99 changes a day or with a clock going back', () => {
  assert.equal(nextSerial(2026112599, NOV25), 2026112600);
  assert.equal(nextSerial(2030010100, NOV25), 2030010101, 'serial ahead of the clock keeps counting');
  let s = 0;
  for (let i = 0; i < 300; i++) {
    const n = nextSerial(s, NOV25);
    assert.ok(serialGreater(n, s));
    s = n;
  }
  assert.equal(nextSerial(4294967295, NOV25), 0);
  assert.ok(serialGreater(0, 4294967295), 'wraps per RFC 1982');
});
