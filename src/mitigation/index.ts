/** Public surface of the challenge library (proof-of-work browser challenge and clearance cookies). */
export {
  SECURITY_LEVELS, DEFAULT_SECURITY_LEVEL, MIN_BITS, MAX_BITS, isSecurityLevel, challengeThreshold, shouldChallenge,
  difficultyBits,
} from './difficulty.ts';
export type { SecurityLevel } from './difficulty.ts';
export { KeyRing, MIN_KEY_BYTES } from './key-ring.ts';
export type { KeyRingJson } from './key-ring.ts';
export {
  DEFAULT_TOKEN_TTL_MS, MAX_CLOCK_SKEW_MS, issueChallengeToken, verifyChallengeToken, verifyChallengeSolution,
  spendChallengeToken, safeLocalPath,
} from './challenge-token.ts';
export type {
  ChallengeClaims, ChallengeFailure, ChallengeVerifyResult, IssueChallengeInput, ReplayStore, VerifyChallengeContext,
} from './challenge-token.ts';
export { leadingZeroBits, verifyWork, solveWork } from './proof-of-work.ts';
export {
  DEFAULT_COOKIE_NAME, DEFAULT_CLEARANCE_TTL_MS, issueClearance, signClearance, verifyClearance, cookieValues,
} from './clearance-cookie.ts';
export type { ClearanceClaims, ClearanceFailure, ClearanceResult, IssueClearanceInput, VerifyClearanceContext } from './clearance-cookie.ts';
export {
  VERIFY_PATH, CHALLENGE_ERROR_CODES, renderChallengePage, renderMessagePage, jsonChallengeBody, wantsJson,
  contentSecurityPolicy, renderBlockPage, usableChallengeTemplate,
} from './page.ts';
export type { ChallengePublicReason, ChallengePageOptions, Rendered } from './page.ts';
export { decideChallenge, handleVerify } from './handler.ts';
export type {
  ChallengeDeps, ChallengeLogEntry, DecideChallengeInput, ChallengeDecision, ServedResponse, VerifyContext,
  VerifyOutcome, VerifyResponse,
} from './handler.ts';
export { DEFAULT_KEY_RING_KEY, loadOrCreateKeyRing, rotateKeyRing, pruneKeyRing } from './key-ring-store.ts';
export { ChallengeStats } from './challenge-stats.ts';
export type { ChallengeStatsSnapshot } from './challenge-stats.ts';
export { CHALLENGE_METHODS, powMethod, noJsMethod, methodFor } from './challenge-methods.ts';
export type { ChallengeMethod, ChallengeMethodName, MethodSettings } from './challenge-methods.ts';
