/**
 * Security level → who is challenged, and how much work the challenge costs.
 *
 * Who is challenged (threat score 0-100, higher is worse; thresholds follow Cloudflare's published security levels):
 *
 * | security_level    | challenged when threat score ≥ | base bits |
 * |-------------------|--------------------------------|-----------|
 * | `off`             | never (only forced challenges) | 12        |
 * | `essentially_off` | 50                             | 12        |
 * | `low`             | 25                             | 13        |
 * | `medium` (default)| 15                             | 14        |
 * | `high`            | 1                              | 16        |
 * | `under_attack`    | 0 (every visitor)              | 16        |
 *
 * Bits of work = base bits + threat bonus, capped at MAX_BITS:
 *
 * | threat score | bonus |
 * |--------------|-------|
 * | 0-24         | +0    |
 * | 25-49        | +1    |
 * | 50-74        | +2    |
 * | 75-100       | +4    |
 *
 * Each bit doubles the expected work: 2^bits SHA-256 hashes on average. A browser's Web Worker does roughly
 * 100k-1M hashes per second, so 14 bits (~16k hashes) is well under a second and 20 bits (~1M) a few seconds.
 */

export const SECURITY_LEVELS = ['off', 'essentially_off', 'low', 'medium', 'high', 'under_attack'] as const;
export type SecurityLevel = (typeof SECURITY_LEVELS)[number];
export const DEFAULT_SECURITY_LEVEL: SecurityLevel = 'medium';

export const MIN_BITS = 8;
export const MAX_BITS = 20;

const TABLE: Record<SecurityLevel, { threshold: number | null; baseBits: number }> = {
  off: { threshold: null, baseBits: 12 },
  essentially_off: { threshold: 50, baseBits: 12 },
  low: { threshold: 25, baseBits: 13 },
  medium: { threshold: 15, baseBits: 14 },
  high: { threshold: 1, baseBits: 16 },
  under_attack: { threshold: 0, baseBits: 16 },
};

export function isSecurityLevel(s: string): s is SecurityLevel {
  return (SECURITY_LEVELS as readonly string[]).includes(s);
}

function clampScore(score: number): number {
  if (!Number.isFinite(score)) return 100; // unknown/garbage counts as worst, never as best
  return Math.min(100, Math.max(0, Math.round(score)));
}

/** The threat score from which `level` challenges a visitor; null when it never does by itself. */
export function challengeThreshold(level: SecurityLevel): number | null {
  return TABLE[level].threshold;
}

/** Whether a visitor with this threat score is challenged at this level (clearance not considered). */
export function shouldChallenge(level: SecurityLevel, threatScore: number): boolean {
  const t = TABLE[level].threshold;
  return t !== null && clampScore(threatScore) >= t;
}

/** Leading zero bits the proof of work must reach for this level and threat score. */
export function difficultyBits(level: SecurityLevel, threatScore: number): number {
  const score = clampScore(threatScore);
  const bonus = score >= 75 ? 4 : score >= 50 ? 2 : score >= 25 ? 1 : 0;
  return Math.min(MAX_BITS, Math.max(MIN_BITS, TABLE[level].baseBits + bonus));
}
