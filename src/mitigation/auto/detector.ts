/**
 * The anomaly detector: one second of traffic against the baseline. Signals, in the order tried:
 * - `rate`: rate ≥ rateFactor × baseline and ≥ minRate;
 * - `origin`: rate ≥ originRateFactor × baseline (and ≥ minRate / 2) while the origin errors or slows;
 * - `cold_start`: no trusted baseline yet, and rate ≥ coldStartRate (the segment finder then asks for one segment
 *   ≥ coldStartShare of all requests).
 */
import type { Baseline, SecondSample } from './baseline.ts';
import type { AutoMitigationOptions } from './options.ts';

export interface Signal {
  readonly kind: 'rate' | 'origin' | 'cold_start';
  /** Human-readable numbers behind it. */
  readonly detail: string;
  /** Requests per second expected (the baseline; 0 at cold start). */
  readonly expected: number;
  /** Share of the surge a segment must explain. */
  readonly explainShare: number;
}

function r1(n: number): string { return (Math.round(n * 10) / 10).toString(); }

/** Is the origin in distress this second compared with its baseline? Returns the reason or undefined. */
export function originDistress(s: SecondSample, b: Baseline, o: AutoMitigationOptions): string | undefined {
  if (s.originCount < 5) return undefined;
  const err = s.originErrors / s.originCount;
  if (err >= Math.max(o.errorRate, o.errorFactor * b.errorShare)) return `origin errors ${Math.round(err * 100)}% (baseline ${Math.round(b.errorShare * 100)}%)`;
  const lat = s.originMsCount > 0 ? s.originMsSum / s.originMsCount : 0;
  if (b.latencyMs > 0 && s.originMsCount >= 5 && lat >= o.latencyFactor * b.latencyMs + o.latencyMinMs) return `origin latency ${Math.round(lat)} ms (baseline ${Math.round(b.latencyMs)} ms)`;
  return undefined;
}

export function detect(s: SecondSample, b: Baseline, o: AutoMitigationOptions): Signal | undefined {
  const rate = s.total;
  if (!b.warm) {
    if (rate >= o.coldStartRate) return { kind: 'cold_start', detail: `cold start: ${rate} req/s with no baseline yet (floor ${o.coldStartRate})`, expected: 0, explainShare: o.coldStartShare };
    return undefined;
  }
  const base = b.rate;
  const factor = base > 0 ? rate / base : Infinity;
  const fx = Number.isFinite(factor) ? `${r1(factor)}x baseline` : 'above an idle baseline';
  if (rate >= o.minRate && rate >= o.rateFactor * base) {
    return { kind: 'rate', detail: `rate ${fx} (${rate} req/s, baseline ${r1(base)})`, expected: base, explainShare: o.explainShare };
  }
  if (rate >= o.minRate / 2 && rate >= o.originRateFactor * base) {
    const why = originDistress(s, b, o);
    if (why !== undefined) return { kind: 'origin', detail: `rate ${fx} (${rate} req/s, baseline ${r1(base)}) while ${why}`, expected: base, explainShare: o.explainShare };
  }
  return undefined;
}
