import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpaceSaving } from './space-saving.ts';

test('exact while the keys fit', () => {
  const s = new SpaceSaving(4);
  for (const k of ['a', 'b', 'a', 'c', 'a', 'b']) s.add(k);
  assert.deepEqual(s.top(), [{ key: 'a', count: 3, error: 0 }, { key: 'b', count: 2, error: 0 }, { key: 'c', count: 1, error: 0 }]);
  assert.equal(s.total, 6);
  assert.equal(s.estimate('a'), 3);
  assert.equal(s.estimate('zz'), 0);
  const seen: string[] = [];
  s.forEach((k, c, e) => seen.push(`${k}:${c}:${e}`));
  assert.deepEqual(seen.sort(), ['a:3:0', 'b:2:0', 'c:1:0']);
});

test('a heavy hitter survives thousands of distinct keys, with honest bounds', () => {
  const s = new SpaceSaving(16);
  let heavy = 0;
  for (let i = 0; i < 10_000; i++) {
    if (i % 3 === 0) { s.add('heavy'); heavy++; } else s.add(`k${i}`);
  }
  assert.equal(s.size, 16);
  const top = s.top(1)[0]!;
  assert.equal(top.key, 'heavy');
  assert.ok(top.count >= heavy, 'count is an upper bound');
  assert.ok(top.count - top.error <= heavy, 'count - error is a lower bound');
  assert.ok(top.count - top.error > heavy * 0.9);
});

test('reset empties it', () => {
  const s = new SpaceSaving(2);
  s.add('a'); s.add('b'); s.add('c');
  s.reset();
  assert.equal(s.total, 0);
  assert.deepEqual(s.top(), []);
  assert.throws(() => new SpaceSaving(0), RangeError);
});
