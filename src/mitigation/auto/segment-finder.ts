/**
 * Which segment explains the surge. For every heavy key of every dimension this second, its growth is its count
 * (lower bound) minus what the baseline expects of it (baseline rate × its baseline share); the key explains
 * growth / surge of the surge. Among the keys explaining at least the signal's share, the narrowest wins: the one
 * with the least legitimate traffic expected in it (its baseline rate), then the fewest requests now, then the
 * dimension order prefix, ua, fingerprint, path.
 */
import type { Baseline, SecondSample } from './baseline.ts';
import type { Signal } from './detector.ts';
import type { SegmentDim } from './traits.ts';
import { SEGMENT_DIMS } from './traits.ts';

export interface SegmentCandidate {
  readonly dim: SegmentDim;
  readonly key: string;
  /** Share of the surge explained (0-1, may exceed 1 when the rest of the traffic fell). */
  readonly explained: number;
  /** Requests per second now (lower bound). */
  readonly current: number;
  /** Requests per second the baseline expects in this segment. */
  readonly expected: number;
}

export function candidates(s: SecondSample, b: Baseline, sig: Signal): SegmentCandidate[] {
  const surge = s.total - sig.expected;
  if (surge <= 0) return [];
  const out: SegmentCandidate[] = [];
  for (const dim of SEGMENT_DIMS) {
    for (const hh of s.sketches[dim].top()) {
      const current = hh.count - hh.error;
      const expected = sig.expected * b.share(dim, hh.key);
      const explained = (current - expected) / surge;
      if (explained >= sig.explainShare) out.push({ dim, key: hh.key, explained, current, expected });
    }
  }
  const rank = (d: SegmentDim): number => SEGMENT_DIMS.indexOf(d);
  out.sort((x, y) => x.expected - y.expected || x.current - y.current || rank(x.dim) - rank(y.dim));
  return out;
}

export function findSegment(s: SecondSample, b: Baseline, sig: Signal): SegmentCandidate | undefined {
  return candidates(s, b, sig)[0];
}
