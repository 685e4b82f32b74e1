import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { detectXss } from './index.ts';
import { isBadUrl, normalizeValue } from './xss.ts';
import { benignCorpus } from './testdata/evaluate.ts';

interface Vectors {
  positive: string[];
  negative: string[];
}
const vectors = JSON.parse(readFileSync(new URL('./testdata/xss-vectors.json', import.meta.url), 'utf8')) as Vectors;

test('normalizeValue decodes references and drops whitespace and controls', () => {
  assert.equal(normalizeValue('&#106;&#x61;v&#X61;\tscript&colon;X'), 'javascript:x');
  assert.equal(normalizeValue('&#0000106avascript:'), 'javascript:');
  assert.equal(normalizeValue(' \u0001JAVA\nSCRIPT:'), 'javascript:');
  assert.equal(normalizeValue('&unknown;'), '&unknown;');
});

test('isBadUrl', () => {
  assert.equal(isBadUrl('javascript:alert(1)'), true);
  assert.equal(isBadUrl('data:text/html,<script>'), true);
  assert.equal(isBadUrl('data:image/png;base64,AAAA'), false);
  assert.equal(isBadUrl('https://example.com/javascript:'), false);
});

test('positive vectors are detected', () => {
  const missed = vectors.positive.filter((v) => !detectXss(v));
  assert.deepEqual(missed, []);
});

test('negative vectors are clean', () => {
  const flagged = vectors.negative.filter((v) => detectXss(v));
  assert.deepEqual(flagged, []);
});

test('benign corpus: few false positives', () => {
  const fp = benignCorpus().filter((v) => detectXss(v));
  // Known: "<meta>data" (a meta tag is flagged whatever its attributes).
  assert.deepEqual(fp, ['<meta>data']);
});

test('empty value', () => {
  assert.equal(detectXss(''), false);
});

test('long and unterminated inputs finish', () => {
  assert.equal(detectXss('<a x="'.repeat(20000)), false);
  assert.equal(detectXss('<!--'.repeat(20000)), false);
  assert.equal(detectXss('<b '.repeat(20000) + 'onload=x>'), true);
});
