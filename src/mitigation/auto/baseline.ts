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

/**
 * Shares below this are forgotten, and at most MAX_KEYS keys are kept per dimension: about 20-30 KB per zone with
 * the sketches. A forgotten key counts as new to the segment finder (its legitimate traffic was under 0.5 %).
 */
const MIN_SHARE = 0.005;
const MAX_KEYS = 64;
const PRUNE_EVERY = 30;

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
  /**
   * Shares are stored divided by `#scale` so that decaying every key each second is one multiplication
   * (`#scale *= 1 - a`), not a pass over the maps; small keys are pruned every PRUNE_EVERY seconds.
   */
  readonly #shares: Record<SegmentDim, Map<string, number>> = { prefix: new Map(), ua: new Map(), fingerprint: new Map(), path: new Map() };
  #scale = 1;
  #sincePrune = 0;
  readonly #warmupS: number;
  readonly #alpha: number;

  constructor(warmupS: number, halfLifeS: number) {
    this.#warmupS = Math.max(1, warmupS);
    this.#alpha = 1 - Math.pow(0.5, 1 / Math.max(1, halfLifeS));
  }

  get warm(): boolean { return this.seconds >= this.#warmupS; }

  /** Baseline share (0-1) of requests with `key` in `dim`. */
  share(dim: SegmentDim, key: string): number { return (this.#shares[dim].get(key) ?? 0) * this.#scale; }

  /** Keys remembered in `dim` (bounded), for tests. */
  keys(dim: SegmentDim): number { return this.#shares[dim].size; }

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
    if (a >= 1) { for (const dim of SEGMENT_DIMS) this.#shares[dim].clear(); this.#scale = 1; } else this.#scale *= 1 - a;
    const inv = a / this.#scale / s.total;
    for (const dim of SEGMENT_DIMS) {
      const m = this.#shares[dim];
      s.sketches[dim].forEach((key, count, error) => {
        if (count <= error) return;
        const v = m.get(key);
        if (v === undefined && m.size >= 2 * MAX_KEYS) return;
        m.set(key, (v ?? 0) + (count - error) * inv);
      });
    }
    if (this.#scale < 1e-6 || ++this.#sincePrune >= PRUNE_EVERY) this.#prune();
  }

  /** Fold the scale back into the values, forget small shares, keep the MAX_KEYS largest per dimension. */
  #prune(): void {
    this.#sincePrune = 0;
    const sc = this.#scale;
    this.#scale = 1;
    for (const dim of SEGMENT_DIMS) {
      const m = this.#shares[dim];
      const kept: Array<[string, number]> = [];
      for (const [k, v] of m) { const x = v * sc; if (x >= MIN_SHARE) kept.push([k, x]); }
      if (kept.length > MAX_KEYS) kept.sort((p, q) => q[1] - p[1]).length = MAX_KEYS;
      m.clear();
      for (const [k, x] of kept) m.set(k, x);
    }
  }
}
