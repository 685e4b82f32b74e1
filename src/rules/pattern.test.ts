import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegexCompileError } from '../lib/regex.ts';
import { compilePattern, foldAsciiCase } from './pattern.ts';

test('(?i) folds ASCII case without touching escapes, classes or group names', () => {
  assert.equal(foldAsciiCase('ab1'), '[aA][bB]1');
  assert.equal(foldAsciiCase('\\d\\W\\x41'), '\\d\\W\\x41');
  assert.equal(foldAsciiCase('[a-cX_]'), '[a-cX_A-Cx]');
  assert.equal(foldAsciiCase('a{2,3}'), '[aA]{2,3}');
  assert.equal(foldAsciiCase('(?<nm>x)'), '(?<nm>[xX])');
  assert.equal(foldAsciiCase('\\p{Lu}'), '\\p{Lu}');
  const re = compilePattern('(?i)^sql(map|ninja)[a-z]*/\\d+$');
  for (const s of ['SQLMap/1', 'sqlNINJAx/22', 'SqLmApZz/3']) assert.equal(re.test(s), true, s);
  for (const s of ['SQLMap/x', 'xsqlmap/1']) assert.equal(re.test(s), false, s);
  assert.equal(compilePattern('(?i)[^a-z]').test('A'), false);
});

test('patterns needing backtracking are refused; catastrophic ones run bounded', () => {
  assert.throws(() => compilePattern('(a)\\1'), RegexCompileError);
  assert.throws(() => compilePattern('(?=a)b'), RegexCompileError);
  assert.throws(() => compilePattern('(?i)(?=a)'), RegexCompileError);
  assert.equal(compilePattern('^(a|aa)+$').test('a'.repeat(40_000) + 'b'), false);
});
