/**
 * The proof of work: find a decimal `nonce` such that SHA-256(UTF-8(challenge + nonce)) starts with `bits` zero
 * bits. The challenge is the signed challenge token itself, so work can neither be precomputed nor moved to
 * another token. The browser solver lives in page-script.ts; `solveWork` is the reference solver (tests, drills).
 */
import { createHash } from 'node:crypto';

/** Nonces are decimal integers of at most 16 digits (the browser counts up from 0). */
const NONCE = /^[0-9]{1,16}$/;

/** Number of leading zero bits of `digest`. */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) { bits += 8; continue; }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function workDigest(challenge: string, nonce: string): Buffer {
  return createHash('sha256').update(challenge + nonce, 'utf8').digest();
}

/** Whether `nonce` solves `challenge` at `bits` leading zero bits. */
export function verifyWork(challenge: string, nonce: string, bits: number): boolean {
  if (!NONCE.test(nonce)) return false;
  if (!Number.isInteger(bits) || bits < 0 || bits > 256) return false;
  return leadingZeroBits(workDigest(challenge, nonce)) >= bits;
}

/** Reference solver: counts nonces up from `start`; undefined when `maxTries` runs out. */
export function solveWork(challenge: string, bits: number, maxTries = 1 << 26, start = 0): string | undefined {
  for (let i = start; i < start + maxTries; i++) {
    const nonce = String(i);
    if (leadingZeroBits(workDigest(challenge, nonce)) >= bits) return nonce;
  }
  return undefined;
}
