/**
 * Ground truth from the OWASP CRS regression tests (read from ../shared/crs/4.28.0, never copied here): every
 * 942100 attack must be detected and no 942100/941100 negative flagged; floors for the 941100 attacks and for the
 * attack strings of the other 941/942 rules (not all of them are libinjection's job) guard against regressions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectSqli, detectXss } from './index.ts';
import { crsAvailable } from './testdata/crs-vectors.ts';
import { evaluateDir, otherFamilyNegatives, sum } from './testdata/evaluate.ts';

const skip = crsAvailable() ? false : 'CRS checkout not found at ../shared/crs/4.28.0';
const isSqli = (s: string): boolean => detectSqli(s).isSqli;

test('942100 (@detectSQLi): every attack test detected', { skip }, () => {
  const stats = evaluateDir('REQUEST-942-APPLICATION-ATTACK-SQLI', 'sqli', isSqli);
  const own = stats.find((s) => s.ruleId === 942100);
  assert.ok(own);
  assert.equal(own.attacks, 15);
  assert.deepEqual(own.missed.map((v) => v.testId), []);
  assert.deepEqual(own.wrong.map((v) => v.testId), []);
  const others = stats.filter((s) => s.ruleId !== 942100);
  const hit = sum(others, (s) => s.hit);
  assert.ok(hit >= 370, `other 942 attack tests detected: ${hit}`);
});

test('941100 (@detectXSS): attack tests detected, negatives clean', { skip }, () => {
  const stats = evaluateDir('REQUEST-941-APPLICATION-ATTACK-XSS', 'xss', detectXss);
  const own = stats.find((s) => s.ruleId === 941100);
  assert.ok(own);
  assert.deepEqual(own.wrong.map((v) => v.testId), []);
  assert.ok(own.hit === own.attacks, `941100 attacks detected: ${own.hit}/${own.attacks}`);
  const others = stats.filter((s) => s.ruleId !== 941100);
  const hit = sum(others, (s) => s.hit);
  assert.ok(hit >= 85, `other 941 attack tests detected: ${hit}`);
});

test('negative tests of the other CRS families: (almost) nothing flagged', { skip }, () => {
  // The one SQLi hit is a real attack in a 920 test: "select(sleep(10));".
  const sq = otherFamilyNegatives('sqli', isSqli);
  assert.ok(sq.tests > 500);
  assert.ok(sq.flagged.length <= 1, sq.flagged.join('\n'));
  assert.deepEqual(otherFamilyNegatives('xss', detectXss).flagged, []);
});
