import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryVariantLimiter } from './query-variant-limiter.ts';

test('caps distinct query variants per path; known ones stay admitted', () => {
  const l = new QueryVariantLimiter({ maxVariantsPerPath: 2, maxPaths: 2 });
  assert.equal(l.admit('z', 'a.test/', 'x=1'), true);
  assert.equal(l.admit('z', 'a.test/', 'x=2'), true);
  assert.equal(l.admit('z', 'a.test/', 'x=3'), false);
  assert.equal(l.admit('z', 'a.test/', 'x=1'), true);
  assert.equal(l.admit('z2', 'a.test/', 'x=3'), true, 'per zone');
  assert.equal(l.admit('z', 'a.test/other', 'x=3'), true, 'per path');
  assert.equal(l.trackedPaths, 2, 'bounded');
  l.forget('z', 'a.test/other');
  assert.equal(l.trackedPaths, 1);
});
