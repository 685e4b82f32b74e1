/**
 * An automatic rule: what the detector decided, for whom, why, and until when. Plain JSON (it is stored in the
 * shared KeyValueStore and read back by every worker, node and the control plane).
 */
import type { SegmentDim, Traits } from './traits.ts';
import { traitOf } from './traits.ts';

export type AutoAction = 'challenge' | 'ratelimit' | 'security_level';

export interface AutoSegment {
  readonly dim: SegmentDim;
  readonly key: string;
  /** Share of the surge (0-1) this segment explained when the rule was made. */
  readonly share: number;
  /** For a fingerprint: the header names and protocol it hashes, as one request of it showed them. */
  readonly sample?: string;
}

export interface AutoRule {
  /** `auto_` + 8 hex of the segment + `_` + creation time in base 36. */
  readonly id: string;
  readonly zoneId: string;
  /** Which signal fired: `rate` (rate far above baseline), `origin` (rate up while the origin errors or slows), `cold_start`. */
  readonly signal: string;
  /** The numbers behind the signal, e.g. "rate 12.3x baseline (615 req/s, baseline 50)". */
  readonly signalDetail: string;
  /** What it matches; null for a raised security level (the whole zone). */
  readonly segment: AutoSegment | null;
  readonly action: AutoAction;
  /** For `ratelimit`: requests per second allowed per worker for the segment. */
  readonly rps?: number;
  /** For `security_level`: the level applied while the rule is in force. */
  readonly level?: 'high' | 'under_attack';
  /** `signal: ...; segment: ...; action: ...` in one human line. */
  readonly reason: string;
  /** 'on': enforced; 'log': recorded only (zone setting auto_mitigation: log). */
  readonly mode: 'on' | 'log';
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly expiresAt: number;
  /** Set when an operator lifted the rule early through the API. */
  readonly liftedAt?: number;
}

export function isActive(r: AutoRule, now: number): boolean {
  return r.liftedAt === undefined && r.expiresAt > now;
}

export function segmentLabel(s: AutoSegment | null): string {
  if (s === null) return 'zone';
  return `${s.dim}=${JSON.stringify(s.key)}`;
}

export function describeRule(signalDetail: string, segment: AutoSegment | null, action: AutoAction, extra: { rps?: number; level?: string }): string {
  const seg = segment === null ? 'no single segment explains the surge' : `${segmentLabel(segment)} ${Math.round(segment.share * 100)}% of surge`;
  const act = action === 'ratelimit' ? `ratelimit ${extra.rps ?? 0} req/s per worker` : action === 'security_level' ? `security level ${extra.level ?? 'high'}` : 'challenge';
  return `signal: ${signalDetail}; segment: ${seg}; action: ${act}`;
}

/** Same segment (dimension and key), or both zone-wide. */
export function sameSegment(a: AutoSegment | null, b: AutoSegment | null): boolean {
  if (a === null || b === null) return a === b;
  return a.dim === b.dim && a.key === b.key;
}

export function matches(r: AutoRule, t: Traits): boolean {
  return r.segment === null || traitOf(t, r.segment.dim) === r.segment.key;
}

/** FNV-1a of a string, 8 hex digits (rule ids). */
export function hash8(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function ruleId(zoneId: string, segment: AutoSegment | null, createdAt: number): string {
  return `auto_${hash8(`${zoneId}|${segment === null ? '' : `${segment.dim}|${segment.key}`}`)}_${createdAt.toString(36)}`;
}
