/**
 * The clearance cookie a solved challenge earns: HMAC-signed (key ring, rotatable), bound to the zone, the client's
 * IP prefix (/24, /64), the User-Agent, the policy that issued it, with an expiry. Verified in constant time.
 *
 * Value: `v1.<keyId>.<base64url JSON claims>.<base64url HMAC>` (see signed-blob.ts).
 */
import { constantTimeEqual, uaHash } from './crypto-util.ts';
import { clientPrefix } from './ip-prefix.ts';
import type { KeyRing } from './key-ring.ts';
import { openBlob, signBlob } from './signed-blob.ts';

export const DEFAULT_COOKIE_NAME = 'rampart_clearance';
/** 30 minutes, Cloudflare's default "challenge passage". */
export const DEFAULT_CLEARANCE_TTL_MS = 30 * 60_000;

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/;

export interface ClearanceClaims {
  zone: string;
  ipPrefix: string;
  uaHash: string;
  policyId: string;
  issuedAt: number;
  expiresAt: number;
}

export type ClearanceFailure =
  'expired' | 'bad_signature' | 'wrong_zone' | 'wrong_prefix' | 'wrong_ua' | 'wrong_policy' | 'malformed';

export type ClearanceResult = { ok: true; claims: ClearanceClaims } | { ok: false; reason: ClearanceFailure };

export interface IssueClearanceInput {
  zone: string;
  ip: string;
  ua: string;
  policyId: string;
  now: number;
  /** Add `Secure` (the request came over https). */
  https: boolean;
  ttlMs?: number;
  cookieName?: string;
}

export function assertCookieName(name: string): string {
  if (!COOKIE_NAME.test(name)) throw new Error(`invalid clearance cookie name "${name}"`);
  return name;
}

/** Sign a clearance and return its cookie value. */
export function signClearance(input: Omit<IssueClearanceInput, 'https' | 'cookieName'>, keyRing: KeyRing): string {
  const ttl = input.ttlMs ?? DEFAULT_CLEARANCE_TTL_MS;
  const claims: ClearanceClaims = {
    zone: input.zone,
    ipPrefix: clientPrefix(input.ip),
    uaHash: uaHash(input.ua),
    policyId: input.policyId,
    issuedAt: input.now,
    expiresAt: input.now + ttl,
  };
  return signBlob('clearance', claims, keyRing);
}

/** The Set-Cookie header value: HttpOnly, SameSite=Lax, Path=/, Max-Age, and Secure over https. */
export function issueClearance(input: IssueClearanceInput, keyRing: KeyRing): string {
  const name = assertCookieName(input.cookieName ?? DEFAULT_COOKIE_NAME);
  const ttl = input.ttlMs ?? DEFAULT_CLEARANCE_TTL_MS;
  const value = signClearance(input, keyRing);
  const attrs = [`${name}=${value}`, 'Path=/', `Max-Age=${Math.max(0, Math.floor(ttl / 1000))}`, 'HttpOnly', 'SameSite=Lax'];
  if (input.https) attrs.push('Secure');
  return attrs.join('; ');
}

function asClaims(p: Record<string, unknown>): ClearanceClaims | undefined {
  const { zone, ipPrefix, uaHash: ua, policyId, issuedAt, expiresAt } = p;
  if (typeof zone !== 'string' || typeof ipPrefix !== 'string' || typeof ua !== 'string' ||
    typeof policyId !== 'string' || typeof issuedAt !== 'number' || typeof expiresAt !== 'number' ||
    !Number.isFinite(issuedAt) || !Number.isFinite(expiresAt)) return undefined;
  return { zone, ipPrefix, uaHash: ua, policyId, issuedAt, expiresAt };
}

export interface VerifyClearanceContext {
  keyRing: KeyRing;
  now: number;
  zone: string;
  ip: string;
  ua: string;
  policyId: string;
}

/**
 * Verify a cookie value. The MAC is compared with timingSafeEqual; the bindings are all compared in constant time
 * and all evaluated before the first failure is reported (order: expired, zone, prefix, UA, policy).
 */
export function verifyClearance(cookieValue: string, ctx: VerifyClearanceContext): ClearanceResult {
  const opened = openBlob('clearance', cookieValue, ctx.keyRing);
  if (!opened.ok) return { ok: false, reason: opened.reason };
  const claims = asClaims(opened.payload);
  if (claims === undefined) return { ok: false, reason: 'malformed' };
  const expired = ctx.now >= claims.expiresAt;
  const zoneOk = constantTimeEqual(claims.zone, ctx.zone);
  const prefixOk = constantTimeEqual(claims.ipPrefix, clientPrefix(ctx.ip));
  const uaOk = constantTimeEqual(claims.uaHash, uaHash(ctx.ua));
  const policyOk = constantTimeEqual(claims.policyId, ctx.policyId);
  const reason: ClearanceFailure | undefined = expired ? 'expired' : !zoneOk ? 'wrong_zone' : !prefixOk
    ? 'wrong_prefix' : !uaOk ? 'wrong_ua' : !policyOk ? 'wrong_policy' : undefined;
  return reason === undefined ? { ok: true, claims } : { ok: false, reason };
}

/** All values of cookie `name` in a Cookie header (a browser may send several). */
export function cookieValues(cookieHeader: string | undefined, name: string): string[] {
  if (cookieHeader === undefined || cookieHeader === '') return [];
  const out: string[] = [];
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let v = part.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    out.push(v);
  }
  return out;
}
