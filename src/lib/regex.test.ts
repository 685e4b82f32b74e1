import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileLinear, compileSafe, RegexCompileError } from './regex.ts';

test('compileLinear runs a catastrophic pattern in linear time', () => {
  const re = compileLinear('(a+)+b');
  assert.equal(re.test('a'.repeat(5000) + 'c'), false);
  assert.equal(re.test('aaab'), true);
});

test('compileLinear refuses lookaround with a reason', () => {
  assert.throws(() => compileLinear('(?=a)b'), (e: unknown) => e instanceof RegexCompileError && /linear/.test(e.message));
});

test('compileSafe accepts lookaround (backtracking engine) and prefers the linear engine', () => {
  assert.equal(compileSafe('(?=a)a').test('a'), true);
  assert.equal(compileSafe('(?=a)a').flags.includes('l'), false);
  const re = compileSafe('(a+)+b');
  assert.equal(re.flags.includes('l'), true);
  assert.equal(re.test('a'.repeat(5000) + 'c'), false);
});

test('invalid patterns give RegexCompileError', () => {
  assert.throws(() => compileSafe('(unclosed'), RegexCompileError);
});
