/** Small crypto helpers shared by the challenge token and the clearance cookie (private to src/mitigation/). */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function b64url(buf: Buffer | string): string {
  return (typeof buf === 'string' ? Buffer.from(buf, 'utf8') : buf).toString('base64url');
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Decode strict base64url; undefined when the text is not base64url. */
export function fromB64url(s: string): Buffer | undefined {
  if (!B64URL.test(s)) return undefined;
  return Buffer.from(s, 'base64url');
}

export function hmacSha256(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Hash of a User-Agent string as carried in tokens and cookies (128 bits, base64url). */
export function uaHash(ua: string): string {
  return createHash('sha256').update(ua, 'utf8').digest().subarray(0, 16).toString('base64url');
}

/**
 * Constant-time equality of two strings of any length: both sides are hashed to 32 bytes first, so neither the
 * content nor the length of the secret side leaks through timing.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** Constant-time equality of two MACs (different lengths compare false without leaking content). */
export function macEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
