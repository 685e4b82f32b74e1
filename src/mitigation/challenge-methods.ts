/**
 * Challenge methods, Anubis-style: each one validates one kind of submission to `/.rampart/challenge/verify` for a
 * token whose signature, expiry and bindings have already been checked (handler.ts), and says how long the
 * clearance it earns lasts. The handler takes the first method whose `matches(form)` holds; `pow` matches last.
 * The page (page.ts) offers both: the worker submits `pow`, the `<noscript>` form submits `nojs`.
 */
import type { ChallengeClaims, ChallengeFailure } from './challenge-token.ts';
import { DEFAULT_CLEARANCE_TTL_MS } from './clearance-cookie.ts';
import { verifyWork } from './proof-of-work.ts';

export type ChallengeMethodName = 'pow' | 'nojs';

export interface MethodSettings {
  now: number;
  clearanceTtlMs?: number;
  noJsDelayMs?: number;
  noJsClearanceTtlMs?: number;
}

export interface ChallengeMethod {
  readonly name: ChallengeMethodName;
  matches(form: URLSearchParams): boolean;
  /** undefined when the submission is good; the private failure reason otherwise. */
  validate(token: string, claims: ChallengeClaims, form: URLSearchParams, s: MethodSettings): ChallengeFailure | undefined;
  clearanceTtlMs(s: MethodSettings): number;
}

/**
 * `pow`: form `token=<token>&nonce=<decimal>`; SHA-256(token + nonce) must have `claims.difficulty` leading zero bits.
 */
export const powMethod: ChallengeMethod = {
  name: 'pow',
  matches: () => true,
  validate: (token, claims, form) => (verifyWork(token, form.get('nonce') ?? '', claims.difficulty) ? undefined : 'bad_work'),
  clearanceTtlMs: (s) => s.clearanceTtlMs ?? DEFAULT_CLEARANCE_TTL_MS,
};

/**
 * `nojs`: form `token=<token>&nojs=1`, accepted only when the zone enables it (`noJsDelayMs`) and at least that long
 * after the token was issued. Earns a short clearance (default 5 min); the edge should rate-limit these clients.
 */
export const noJsMethod: ChallengeMethod = {
  name: 'nojs',
  matches: (form) => form.get('nojs') === '1',
  validate: (_token, claims, _form, s) => {
    if (s.noJsDelayMs === undefined) return 'nojs_disabled';
    return s.now < claims.issuedAt + s.noJsDelayMs ? 'too_early' : undefined;
  },
  clearanceTtlMs: (s) => s.noJsClearanceTtlMs ?? 5 * 60_000,
};

export const CHALLENGE_METHODS: readonly ChallengeMethod[] = [noJsMethod, powMethod];

export function methodFor(form: URLSearchParams): ChallengeMethod {
  return CHALLENGE_METHODS.find((m) => m.matches(form)) ?? powMethod;
}
