/**
 * The two pure entry points the edge's `challenge` phase calls.
 *
 * - `decideChallenge(input, deps)`: synchronous. Pass (not required at this security level / threat score, or a
 *   valid clearance cookie) or serve a challenge: the HTML page, or the 403 JSON body for API clients.
 * - `handleVerify(formBody, ctx, deps)`: the POST to `/.rampart/challenge/verify`. Checks the solution, sets the
 *   clearance cookie and sends the visitor back: 303 to the original URL for GET/HEAD; for any other method a 200
 *   page asking to submit again (the original body is gone). Failures log the precise reason through `deps.log`
 *   and answer a generic 403.
 */
import type { Random } from '../lib/clock.ts';
import { methodFor } from './challenge-methods.ts';
import type { ChallengeMethod, ChallengeMethodName, MethodSettings } from './challenge-methods.ts';
import { DEFAULT_TOKEN_TTL_MS, issueChallengeToken, spendChallengeToken, verifyChallengeToken } from './challenge-token.ts';
import type { ChallengeClaims, ChallengeFailure, ReplayStore } from './challenge-token.ts';
import { DEFAULT_COOKIE_NAME, cookieValues, issueClearance, verifyClearance } from './clearance-cookie.ts';
import type { ClearanceFailure } from './clearance-cookie.ts';
import { clientPrefix } from './ip-prefix.ts';
import { difficultyBits, shouldChallenge } from './difficulty.ts';
import type { SecurityLevel } from './difficulty.ts';
import type { KeyRing } from './key-ring.ts';
import { jsonChallengeBody, renderChallengePage, renderMessagePage, wantsJson } from './page.ts';
import type { ChallengePublicReason } from './page.ts';

/** Built once per zone snapshot (or process); shared by all requests. */
export interface ChallengeDeps {
  keyRing: KeyRing;
  random: Random;
  replayStore: ReplayStore;
  cookieName?: string;
  /** Lifetime of a challenge token (default 5 min). */
  tokenTtlMs?: number;
  /** Lifetime of a clearance (default 30 min). */
  clearanceTtlMs?: number;
  /** Enables the no-JS path: the `<noscript>` form may be submitted this long after the page was served. */
  noJsDelayMs?: number;
  /** Lifetime of a clearance earned without JavaScript (default 5 min); the edge should also rate-limit these. */
  noJsClearanceTtlMs?: number;
  /** Accept solutions when the replay store fails (default false: refuse). */
  replayFailOpen?: boolean;
  /** Private log of outcomes, with the precise reason. Never shown to the client. */
  log?: (entry: ChallengeLogEntry) => void;
}

export interface ChallengeLogEntry {
  event: 'challenge.solved' | 'challenge.failed';
  zone: string;
  rayId: string;
  ipPrefix: string;
  reason?: ChallengeFailure;
  method?: ChallengeMethodName;
  solveMs?: number;
  difficulty?: number;
}

export interface DecideChallengeInput {
  zoneId: string;
  securityLevel: SecurityLevel;
  /** 0-100, higher is worse. */
  threatScore: number;
  /** The raw Cookie header. */
  cookies: string | undefined;
  ip: string;
  ua: string;
  accept: string | undefined;
  method: string;
  /** Path and query of the request. */
  url: string;
  /** Identifies the policy in force (e.g. a hash of the zone's challenge settings); clearances are bound to it. */
  policyId: string;
  now: number;
  rayId?: string;
  /** Shown on the page (the zone's host name). */
  siteName?: string;
  /** Challenge even when the security level would not (a rule returned a `challenge` verdict). */
  force?: boolean;
  /**
   * The client is a verified crawler (`rampart.verified_bot`) and the zone lets verified bots skip challenges: it is
   * not challenged by the security level (a forced challenge still applies).
   */
  verifiedBot?: boolean;
  /** Override the bits of work (else from difficulty.ts). */
  difficulty?: number;
  /** Operator's page template for this zone (see page.ts). */
  template?: string;
}

export interface ServedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type ChallengeDecision =
  | { kind: 'pass'; reason: 'not_required' | 'clearance' | 'verified_bot' }
  | (ServedResponse & {
    kind: 'serve';
    reason: ChallengePublicReason;
    difficulty: number;
    /** Why no clearance let the request through (private; for logs and metrics). */
    clearance: 'absent' | ClearanceFailure;
  });

function cspNonce(random: Random): string {
  return random.bytes(16).toString('base64');
}

export function decideChallenge(input: DecideChallengeInput, deps: ChallengeDeps): ChallengeDecision {
  const force = input.force === true;
  if (!force && !shouldChallenge(input.securityLevel, input.threatScore)) return { kind: 'pass', reason: 'not_required' };
  if (!force && input.verifiedBot === true) return { kind: 'pass', reason: 'verified_bot' };

  let clearance: 'absent' | ClearanceFailure = 'absent';
  for (const value of cookieValues(input.cookies, deps.cookieName ?? DEFAULT_COOKIE_NAME)) {
    const r = verifyClearance(value, {
      keyRing: deps.keyRing, now: input.now, zone: input.zoneId, ip: input.ip, ua: input.ua, policyId: input.policyId,
    });
    if (r.ok) return { kind: 'pass', reason: 'clearance' };
    clearance = r.reason;
  }

  const underAttack = input.securityLevel === 'under_attack';
  const reason: ChallengePublicReason = underAttack ? 'under_attack' : 'challenge';
  const rayId = input.rayId ?? '';
  const bits = input.difficulty ?? difficultyBits(input.securityLevel, input.threatScore);
  const difficulty = Math.min(32, Math.max(0, Math.floor(bits)));

  if (wantsJson(input.accept)) {
    return {
      kind: 'serve', reason, difficulty, clearance, status: 403,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'private, no-store, max-age=0' },
      body: jsonChallengeBody(rayId, reason),
    };
  }
  const { token } = issueChallengeToken({
    zone: input.zoneId, method: input.method, url: input.url, ip: input.ip, ua: input.ua, policyId: input.policyId,
    difficulty,
  }, { keyRing: deps.keyRing, clock: { now: () => input.now }, random: deps.random });
  const page = renderChallengePage({
    token, bits: difficulty, rayId, siteName: input.siteName ?? input.zoneId, cspNonce: cspNonce(deps.random),
    underAttack, ...(deps.noJsDelayMs === undefined ? {} : { noJsDelayMs: deps.noJsDelayMs }),
    ...(input.template === undefined ? {} : { template: input.template }),
  });
  return { kind: 'serve', reason, difficulty, clearance, ...page };
}

export interface VerifyContext {
  zoneId: string;
  ip: string;
  ua: string;
  now: number;
  /** The request came over https: the cookie gets `Secure`. */
  https: boolean;
  /** The policy now in force; a token from another policy is refused. */
  policyId: string;
  rayId?: string;
  siteName?: string;
  accept?: string;
}

export type VerifyOutcome =
  | { ok: true; method: ChallengeMethodName; solveMs: number; url: string; difficulty: number }
  | { ok: false; reason: ChallengeFailure };

export type VerifyResponse = ServedResponse & { outcome: VerifyOutcome };

const MAX_FORM_BYTES = 8192;

function parseForm(formBody: string | URLSearchParams): URLSearchParams | undefined {
  if (typeof formBody !== 'string') return formBody;
  if (formBody.length > MAX_FORM_BYTES) return undefined;
  return new URLSearchParams(formBody);
}

async function checkSubmission(
  form: URLSearchParams | undefined, ctx: VerifyContext, deps: ChallengeDeps,
): Promise<{ ok: true; claims: ChallengeClaims; method: ChallengeMethod } | { ok: false; reason: ChallengeFailure; claims?: ChallengeClaims }> {
  const token = form?.get('token');
  if (form === undefined || token === null || token === undefined) return { ok: false, reason: 'malformed' };
  const ttlMs = deps.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS;
  const checked = verifyChallengeToken(token, {
    keyRing: deps.keyRing, now: ctx.now, zone: ctx.zoneId, ip: ctx.ip, ua: ctx.ua, policyId: ctx.policyId, ttlMs,
  });
  if (!checked.ok) return checked;
  const method = methodFor(form);
  const failure = method.validate(token, checked.claims, form, settings(deps, ctx.now));
  if (failure !== undefined) return { ok: false, reason: failure, claims: checked.claims };
  const spent = await spendChallengeToken(checked.claims, {
    replayStore: deps.replayStore, now: ctx.now, ttlMs,
    ...(deps.replayFailOpen === undefined ? {} : { replayFailOpen: deps.replayFailOpen }),
  });
  return spent.ok ? { ok: true, claims: spent.claims, method } : spent;
}

function settings(deps: ChallengeDeps, now: number): MethodSettings {
  return {
    now,
    ...(deps.clearanceTtlMs === undefined ? {} : { clearanceTtlMs: deps.clearanceTtlMs }),
    ...(deps.noJsDelayMs === undefined ? {} : { noJsDelayMs: deps.noJsDelayMs }),
    ...(deps.noJsClearanceTtlMs === undefined ? {} : { noJsClearanceTtlMs: deps.noJsClearanceTtlMs }),
  };
}

export async function handleVerify(
  formBody: string | URLSearchParams, ctx: VerifyContext, deps: ChallengeDeps,
): Promise<VerifyResponse> {
  const rayId = ctx.rayId ?? '';
  const siteName = ctx.siteName ?? ctx.zoneId;
  const nonce = cspNonce(deps.random);
  const result = await checkSubmission(parseForm(formBody), ctx, deps);
  const ipPrefix = clientPrefix(ctx.ip);

  if (!result.ok) {
    deps.log?.({
      event: 'challenge.failed', zone: ctx.zoneId, rayId, ipPrefix, reason: result.reason,
      ...(result.claims === undefined ? {} : { difficulty: result.claims.difficulty }),
    });
    const outcome: VerifyOutcome = { ok: false, reason: result.reason };
    if (wantsJson(ctx.accept)) {
      return {
        status: 403, outcome, body: jsonChallengeBody(rayId, 'verification_failed'),
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'private, no-store, max-age=0' },
      };
    }
    // Only a token whose signature checked may choose where the retry link points.
    const href = result.claims?.url ?? '/';
    return {
      ...renderMessagePage({
        status: 403, title: 'We could not verify your browser', siteName, rayId, cspNonce: nonce,
        message: 'The check did not complete. This can happen when it took too long or your network changed. Please try again.',
        link: { href, text: 'Try again' },
      }),
      outcome,
    };
  }

  const { claims } = result;
  const method = result.method.name;
  const ttlMs = result.method.clearanceTtlMs(settings(deps, ctx.now));
  const setCookie = issueClearance({
    zone: ctx.zoneId, ip: ctx.ip, ua: ctx.ua, policyId: claims.policyId, now: ctx.now, https: ctx.https, ttlMs,
    ...(deps.cookieName === undefined ? {} : { cookieName: deps.cookieName }),
  }, deps.keyRing);
  const solveMs = Math.max(0, ctx.now - claims.issuedAt);
  deps.log?.({ event: 'challenge.solved', zone: ctx.zoneId, rayId, ipPrefix, method, solveMs, difficulty: claims.difficulty });
  const outcome: VerifyOutcome = { ok: true, method, solveMs, url: claims.url, difficulty: claims.difficulty };

  if (claims.method === 'GET' || claims.method === 'HEAD') {
    return {
      status: 303, outcome, body: '',
      headers: { 'set-cookie': setCookie, location: claims.url, 'cache-control': 'private, no-store, max-age=0' },
    };
  }
  const page = renderMessagePage({
    status: 200, title: 'Check complete', siteName, rayId, cspNonce: nonce,
    message: `Your browser passed the check, but the ${claims.method} request it interrupted (for example a form) was not sent. Please go back and submit it again.`,
    link: { href: claims.url, text: 'Back to the site' },
  });
  return { ...page, headers: { ...page.headers, 'set-cookie': setCookie }, outcome };
}
