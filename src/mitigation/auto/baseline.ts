/**
 * What normal looks like for one zone on one worker: moving averages (EWMA over one-second buckets) of the request
 * rate, the origin's error share and latency, and each heavy segment's share of requests per dimension.
 * Learning is the caller's decision: it is frozen while traffic is anomalous, so an attack is never learnt.
 * The first `warmupS` seconds average cumulatively (fast convergence); then the half-life applies.
 */
import type { SegmentDim } from './traits.ts';
import { SEGMENT_DIMS } from './traits.ts';
import type { SpaceSaving } from './space-saving.ts';

/** One second of traffic as the monitor counted it. */
export interface SecondSample {
  readonly total: number;
  /** Requests that reached the origin (had an origin status or an origin error). */
  readonly originCount: number;
  readonly originErrors: number;
  readonly originMsSum: number;
  /** Origin exchanges with a measured latency (failures before a response have none). */
  readonly originMsCount: number;
  readonly sketches: Readonly<Record<SegmentDim, SpaceSaving>>;
}

/** Shares below this are forgotten (bounds the maps with the sketch capacity). */
const MIN_SHARE = 0.002;
const MAX_KEYS = 128;

export class Baseline {
  /** Seconds learnt. */
  seconds = 0;
  /** Requests per second. */
  rate = 0;
  /** Share of origin requests that failed (5xx, refused, timeout). */
  errorShare = 0;
  /** Mean origin latency, ms (0 until an origin request was seen). */
  latencyMs = 0;
  #originSeconds = 0;
  readonly #shares: Record<SegmentDim, Map<string, number>> = { prefix: new Map(), ua: new Map(), fingerprint: new Map(), path: new Map() };
  readonly #warmupS: number;
  readonly #alpha: number;

  constructor(warmupS: number, halfLifeS: number) {
    this.#warmupS = Math.max(1, warmupS);
    this.#alpha = 1 - Math.pow(0.5, 1 / Math.max(1, halfLifeS));
  }

  get warm(): boolean { return this.seconds >= this.#warmupS; }

  /** Baseline share (0-1) of requests with `key` in `dim`. */
  share(dim: SegmentDim, key: string): number { return this.#shares[dim].get(key) ?? 0; }

  learn(s: SecondSample): void {
    this.seconds++;
    const a = this.seconds <= this.#warmupS ? 1 / this.seconds : this.#alpha;
    this.rate += a * (s.total - this.rate);
    if (s.originCount > 0) {
      this.#originSeconds++;
      const ao = this.#originSeconds <= this.#warmupS ? 1 / this.#originSeconds : this.#alpha;
      this.errorShare += ao * (s.originErrors / s.originCount - this.errorShare);
      if (s.originMsCount > 0) this.latencyMs += (this.latencyMs === 0 ? 1 : ao) * (s.originMsSum / s.originMsCount - this.latencyMs);
    }
    if (s.total === 0) return; // shares are of requests: a quiet second says nothing about them
    for (const dim of SEGMENT_DIMS) {
      const m = this.#shares[dim];
      const sk = s.sketches[dim];
      for (const [k, v] of m) {
        const nv = v - a * v;
        if (nv < MIN_SHARE && sk.estimate(k) === 0) m.delete(k); else m.set(k, nv);
      }
      for (const hh of sk.top()) {
        const add = a * ((hh.count - hh.error) / s.total);
        if (add <= 0) continue;
        const v = m.get(hh.key);
        if (v === undefined && m.size >= MAX_KEYS) continue;
        m.set(hh.key, (v ?? 0) + add);
      }
    }
  }
}
