/**
 * Authenticated origin pull (issue 6, docs/bots-and-origin.md): with a per-zone secret, every request to the origin
 * carries `rampart-origin-auth: t=<unix seconds>,ray=<ray id>,sig=<hex HMAC-SHA256(secret, t + "." + ray + "." + host)>`
 * where `host` is the Host the origin receives (the pool's host_header, else the visitor's host name as the edge
 * routed it), lower case, without port or trailing dot. An origin
 * that checks it (and the time within a few minutes) knows the request came through Rampart, not straight from
 * the Internet. `verifyOriginAuth` is the reference check (the docs have nginx and Node versions).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const ORIGIN_AUTH_HEADER = 'rampart-origin-auth';

export function originAuthSignature(secret: string, t: number, ray: string, host: string): string {
  return createHmac('sha256', secret).update(`${t}.${ray}.${host}`).digest('hex');
}

export function originAuthHeader(secret: string, ray: string, host: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},ray=${ray},sig=${originAuthSignature(secret, t, ray, host)}`;
}

export type OriginAuthCheck = { ok: true; ray: string; t: number } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'bad_signature' };

/** Checks a header value for `host` (normalised as above); `maxSkewSec` bounds the age (default 300). */
export function verifyOriginAuth(value: string | undefined, secret: string, host: string, nowMs: number, maxSkewSec = 300): OriginAuthCheck {
  if (value === undefined || value === '') return { ok: false, reason: 'missing' };
  const m = /^t=(\d{1,12}),ray=([A-Za-z0-9-]{1,64}),sig=([0-9a-f]{64})$/.exec(value.trim());
  if (m === null) return { ok: false, reason: 'malformed' };
  const t = Number(m[1]);
  const ray = m[2]!;
  if (Math.abs(nowMs / 1000 - t) > maxSkewSec) return { ok: false, reason: 'stale' };
  const want = Buffer.from(originAuthSignature(secret, t, ray, host.toLowerCase()), 'hex');
  const got = Buffer.from(m[3]!, 'hex');
  if (!timingSafeEqual(want, got)) return { ok: false, reason: 'bad_signature' };
  return { ok: true, ray, t };
}
