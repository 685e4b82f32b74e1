/**
 * The least harsh action that should restore the origin:
 * - a segment the baseline barely knows (its expected traffic ≤ 5% of its traffic now, e.g. a new User-Agent):
 *   `challenge` it (a human in it solves the challenge once; a flood does not);
 * - a segment with real legitimate traffic in it (a popular path): `ratelimit` it to twice its normal rate, so
 *   its normal visitors mostly pass while the excess is refused;
 * - no segment explains the surge: raise the zone's security level one step (to `high`, or `under_attack` when it
 *   is already `high`); nothing when it is already `under_attack`.
 */
import type { SegmentCandidate } from './segment-finder.ts';
import type { AutoAction } from './rule.ts';
import type { AutoMitigationOptions } from './options.ts';

export interface ChosenAction {
  readonly action: AutoAction;
  readonly rps?: number;
  readonly level?: 'high' | 'under_attack';
}

export function chooseAction(seg: SegmentCandidate | undefined, securityLevel: string, o: AutoMitigationOptions): ChosenAction | undefined {
  if (seg !== undefined) {
    if (seg.expected <= Math.max(1, 0.05 * seg.current)) return { action: 'challenge' };
    return { action: 'ratelimit', rps: Math.max(o.minRps, Math.ceil(seg.expected * 2 - 1e-6)) };
  }
  if (securityLevel === 'under_attack') return undefined;
  return { action: 'security_level', level: securityLevel === 'high' ? 'under_attack' : 'high' };
}
