import { test } from 'node:test';
import assert from 'node:assert/strict';
import { challengeThreshold, difficultyBits, isSecurityLevel, MAX_BITS, SECURITY_LEVELS, shouldChallenge } from './difficulty.ts';

test('thresholds per security level', () => {
  assert.equal(shouldChallenge('off', 100), false);
  assert.equal(challengeThreshold('off'), null);
  assert.equal(shouldChallenge('essentially_off', 49), false);
  assert.equal(shouldChallenge('essentially_off', 50), true);
  assert.equal(shouldChallenge('low', 24), false);
  assert.equal(shouldChallenge('low', 25), true);
  assert.equal(shouldChallenge('medium', 14), false);
  assert.equal(shouldChallenge('medium', 15), true);
  assert.equal(shouldChallenge('high', 0), false);
  assert.equal(shouldChallenge('high', 1), true);
  assert.equal(shouldChallenge('under_attack', 0), true);
});

test('a garbage threat score counts as the worst', () => {
  assert.equal(shouldChallenge('medium', Number.NaN), true);
  assert.equal(difficultyBits('medium', Number.NaN), difficultyBits('medium', 100));
});

test('bits grow with level and threat, capped', () => {
  assert.equal(difficultyBits('medium', 0), 14);
  assert.equal(difficultyBits('medium', 30), 15);
  assert.equal(difficultyBits('medium', 60), 16);
  assert.equal(difficultyBits('medium', 90), 18);
  assert.equal(difficultyBits('under_attack', 100), MAX_BITS);
  for (const level of SECURITY_LEVELS) {
    let prev = 0;
    for (let s = 0; s <= 100; s += 5) {
      const b = difficultyBits(level, s);
      assert.ok(b >= prev && b <= MAX_BITS);
      prev = b;
    }
  }
});

test('isSecurityLevel', () => {
  assert.equal(isSecurityLevel('under_attack'), true);
  assert.equal(isSecurityLevel('panic'), false);
});
