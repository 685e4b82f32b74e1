/**
 * Seeded random inputs built from the characters and words both tokenizers care about: the detectors must not
 * throw, must be deterministic, and must keep their contracts (fingerprint of at most five classes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectSqli, detectXss } from './index.ts';
import { FINGERPRINT_LEN } from './sqli-tokenizer.ts';

const PIECES = [
  "'", '"', '`', '\\', '/*', '*/', '/*!', '--', '-- ', '#', ';', '(', ')', ',', '=', '<', '>', '!', '&', '|', '@',
  '@@', '0x', '1', '2.5e3', ' ', '\t', '\n', 'or', 'AND', 'union', 'select', 'from', 'drop table', 'sleep(', 'x',
  'O\'Brien', '<script', '<img', ' src=', ' onerror=', 'javascript:', '&#106;', '&colon;', '<!--', '-->', '[if',
  '<?', '</', '/>', 'style=', 'expression(', '+ADw-', '\u00bc', '\u00be', '\u0000', '\u00a0', 'é', '東',
];

/** Small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('random inputs: no throw, deterministic, fingerprint contract', () => {
  const rnd = prng(42);
  for (let k = 0; k < 3000; k++) {
    const parts = 1 + Math.floor(rnd() * 24);
    let s = '';
    for (let p = 0; p < parts; p++) s += PIECES[Math.floor(rnd() * PIECES.length)]!;
    const a = detectSqli(s);
    assert.equal(typeof a.isSqli, 'boolean');
    assert.ok(a.fingerprint.length <= FINGERPRINT_LEN, s);
    assert.deepEqual(detectSqli(s), a);
    const x = detectXss(s);
    assert.equal(detectXss(s), x);
  }
});

test('huge inputs are cut, not rejected', () => {
  assert.equal(detectSqli('a'.repeat(30_000) + "' or 1=1--").isSqli, true); // padded breakout, quote context
  assert.equal(detectSqli('a '.repeat(200_000) + "' or 1=1--").isSqli, false); // beyond the scanned 64 KiB
  assert.equal(detectSqli("' or 1=1--" + 'a '.repeat(200_000)).isSqli, true);
  assert.equal(detectXss('<script>' + 'a'.repeat(200_000)), true);
});
