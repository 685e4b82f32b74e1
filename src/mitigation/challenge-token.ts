/**
 * The stateless signed challenge: what the page must solve, bound to the zone, the request that was challenged, the
 * client's IP prefix and User-Agent, and the policy that issued it. It is also the proof-of-work input.
 *
 * Lifetime: `DEFAULT_TOKEN_TTL_MS` (5 min) from `issuedAt`. Replay: a solved token is spent once through
 * `ReplayStore.setIfAbsent` (the KeyValueStore port), keyed by the token's random nonce.
 */
import type { Clock, Random } from '../lib/clock.ts';
import type { KeyValueStore } from '../state/ports.ts';
import { constantTimeEqual, uaHash } from './crypto-util.ts';
import { clientPrefix } from './ip-prefix.ts';
import type { KeyRing } from './key-ring.ts';
import { verifyWork } from './proof-of-work.ts';
import { openBlob, signBlob } from './signed-blob.ts';

export const DEFAULT_TOKEN_TTL_MS = 5 * 60_000;
/** Tolerated clock skew between the worker that issued a token and the one verifying it. */
export const MAX_CLOCK_SKEW_MS = 30_000;

/** The one port method replay protection needs. */
export type ReplayStore = Pick<KeyValueStore, 'setIfAbsent'>;

export interface ChallengeClaims {
  zone: string;
  method: string;
  url: string;
  ipPrefix: string;
  uaHash: string;
  policyId: string;
  difficulty: number;
  issuedAt: number;
  nonce: string;
}

export type ChallengeFailure =
  | 'malformed' | 'bad_signature' | 'expired' | 'wrong_zone' | 'wrong_prefix' | 'wrong_ua' | 'wrong_policy'
  | 'bad_work' | 'replayed' | 'store_unavailable' | 'too_early' | 'nojs_disabled';

export type ChallengeVerifyResult =
  | { ok: true; claims: ChallengeClaims }
  | { ok: false; reason: ChallengeFailure; claims?: ChallengeClaims };

export interface IssueChallengeInput {
  zone: string;
  method: string;
  /** Path and query of the challenged request; anything that is not a local path becomes `/`. */
  url: string;
  ip: string;
  ua: string;
  policyId: string;
  difficulty: number;
}

/** A local path only (`/x?y`): no scheme, no `//host`, no backslash, no control characters. */
export function safeLocalPath(url: string): string {
  if (!url.startsWith('/') || url.startsWith('//') || url.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(url) || url.length > 2048) return '/';
  return url;
}

export function issueChallengeToken(
  input: IssueChallengeInput,
  deps: { keyRing: KeyRing; clock: Clock; random: Random },
): { token: string; claims: ChallengeClaims } {
  const claims: ChallengeClaims = {
    zone: input.zone,
    method: input.method.toUpperCase(),
    url: safeLocalPath(input.url),
    ipPrefix: clientPrefix(input.ip),
    uaHash: uaHash(input.ua),
    policyId: input.policyId,
    difficulty: input.difficulty,
    issuedAt: deps.clock.now(),
    nonce: deps.random.bytes(16).toString('base64url'),
  };
  return { token: signBlob('challenge', claims, deps.keyRing), claims };
}

function asClaims(p: Record<string, unknown>): ChallengeClaims | undefined {
  const { zone, method, url, ipPrefix, uaHash: ua, policyId, difficulty, issuedAt, nonce } = p;
  if (typeof zone !== 'string' || typeof method !== 'string' || typeof url !== 'string' ||
    typeof ipPrefix !== 'string' || typeof ua !== 'string' || typeof policyId !== 'string' ||
    typeof nonce !== 'string' || typeof difficulty !== 'number' || typeof issuedAt !== 'number' ||
    !Number.isInteger(difficulty) || difficulty < 0 || difficulty > 64 || !Number.isFinite(issuedAt)) return undefined;
  return { zone, method, url, ipPrefix, uaHash: ua, policyId, difficulty, issuedAt, nonce };
}

export interface VerifyChallengeContext {
  keyRing: KeyRing;
  now: number;
  zone: string;
  ip: string;
  ua: string;
  /** The policy now in force; a token issued under another policy is refused. Omit to skip the check. */
  policyId?: string;
  ttlMs?: number;
}

/**
 * Check signature, expiry and bindings of a token (no proof of work, no replay). Every binding is compared in
 * constant time and all of them are evaluated before the first failure is reported.
 */
export function verifyChallengeToken(token: string, ctx: VerifyChallengeContext): ChallengeVerifyResult {
  const opened = openBlob('challenge', token, ctx.keyRing);
  if (!opened.ok) return { ok: false, reason: opened.reason };
  const claims = asClaims(opened.payload);
  if (claims === undefined) return { ok: false, reason: 'malformed' };
  const ttl = ctx.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
  const expired = ctx.now >= claims.issuedAt + ttl || claims.issuedAt > ctx.now + MAX_CLOCK_SKEW_MS;
  const zoneOk = constantTimeEqual(claims.zone, ctx.zone);
  const prefixOk = constantTimeEqual(claims.ipPrefix, clientPrefix(ctx.ip));
  const uaOk = constantTimeEqual(claims.uaHash, uaHash(ctx.ua));
  const policyOk = ctx.policyId === undefined || constantTimeEqual(claims.policyId, ctx.policyId);
  const reason: ChallengeFailure | undefined = expired ? 'expired' : !zoneOk ? 'wrong_zone' : !prefixOk
    ? 'wrong_prefix' : !uaOk ? 'wrong_ua' : !policyOk ? 'wrong_policy' : undefined;
  return reason === undefined ? { ok: true, claims } : { ok: false, reason, claims };
}

/**
 * Verify a submitted solution: the token (as above), the proof of work at the token's difficulty, then spend the
 * token once. The token is spent only after the work checks, so a wrong guess does not burn a good token.
 * `replayFailOpen` decides what a failing store means: accept (true) or refuse with `store_unavailable` (default).
 */
export async function verifyChallengeSolution(
  token: string,
  workNonce: string,
  ctx: VerifyChallengeContext & { replayStore: ReplayStore; replayFailOpen?: boolean },
): Promise<ChallengeVerifyResult> {
  const checked = verifyChallengeToken(token, ctx);
  if (!checked.ok) return checked;
  const { claims } = checked;
  if (!verifyWork(token, workNonce, claims.difficulty)) return { ok: false, reason: 'bad_work', claims };
  return spendChallengeToken(claims, ctx);
}

/**
 * Spend a verified token once (replay protection): true the first time, `replayed` after. Keyed by the token's
 * random nonce, kept until the token could no longer verify anyway.
 */
export async function spendChallengeToken(
  claims: ChallengeClaims,
  ctx: { replayStore: ReplayStore; now: number; ttlMs?: number; replayFailOpen?: boolean },
): Promise<ChallengeVerifyResult> {
  const ttl = ctx.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
  const keepMs = Math.max(1000, claims.issuedAt + ttl + MAX_CLOCK_SKEW_MS - ctx.now);
  try {
    const fresh = await ctx.replayStore.setIfAbsent(`chal:used:${claims.nonce}`, '1', keepMs);
    if (!fresh) return { ok: false, reason: 'replayed', claims };
  } catch {
    if (ctx.replayFailOpen !== true) return { ok: false, reason: 'store_unavailable', claims };
  }
  return { ok: true, claims };
}
