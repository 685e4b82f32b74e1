/**
 * Sensitivity of automatic mitigation. Rates are per zone and per worker (each worker decides on its own view of
 * the traffic; a rule it publishes applies everywhere). The defaults suit production; tests shorten the learning
 * window and the rule lifetime through `optionsFromEnv` (RAMPART_AUTO_MITIGATION_*).
 */
export interface AutoMitigationOptions {
  /** Seconds of learning before the baseline is trusted (before: only the cold-start floor fires). */
  readonly warmupS: number;
  /** Half-life of the baseline's moving averages, seconds. */
  readonly halfLifeS: number;
  /** `rate` fires at rate ≥ rateFactor × baseline ... */
  readonly rateFactor: number;
  /** ... and at least minRate req/s (a quiet zone doubling from 2 to 4 req/s is not an attack). */
  readonly minRate: number;
  /** `origin` fires at rate ≥ originRateFactor × baseline (and ≥ minRate / 2) while the origin errors or slows. */
  readonly originRateFactor: number;
  /** Origin distress: error share ≥ max(errorRate, errorFactor × baseline error share) ... */
  readonly errorRate: number;
  readonly errorFactor: number;
  /** ... or mean latency ≥ latencyFactor × baseline latency + latencyMinMs. */
  readonly latencyFactor: number;
  readonly latencyMinMs: number;
  /** Cold start (no baseline yet): rate ≥ coldStartRate and one segment ≥ coldStartShare of it. */
  readonly coldStartRate: number;
  readonly coldStartShare: number;
  /** A segment must explain at least this share of the surge (rate above baseline) to be blamed. */
  readonly explainShare: number;
  /** Consecutive anomalous seconds before acting (1 = act on the first). */
  readonly confirmS: number;
  /** Lifetime of an automatic rule, seconds; extended while the anomaly lasts. */
  readonly ttlS: number;
  /** A raised security level that did not bring traffic back to normal is raised again after this long, seconds. */
  readonly escalateS: number;
  /** After an operator lifts a rule, the same segment is not blamed again for this long, seconds. */
  readonly suppressS: number;
  /** Active automatic rules per zone, at most. */
  readonly maxRules: number;
  /** Keys tracked per dimension and second (heavy-hitter sketch capacity). */
  readonly sketchCapacity: number;
  /** Lowest rate limit applied to a segment, req/s per worker. */
  readonly minRps: number;
}

export const DEFAULT_AUTO_MITIGATION: AutoMitigationOptions = Object.freeze({
  warmupS: 300, halfLifeS: 900, rateFactor: 4, minRate: 50, originRateFactor: 2,
  errorRate: 0.2, errorFactor: 3, latencyFactor: 3, latencyMinMs: 200,
  coldStartRate: 200, coldStartShare: 0.5, explainShare: 0.6, confirmS: 2, ttlS: 300, escalateS: 15, suppressS: 600,
  maxRules: 8, sketchCapacity: 32, minRps: 5,
});

const ENV: ReadonlyArray<[keyof AutoMitigationOptions, string]> = [
  ['warmupS', 'WARMUP_S'], ['ttlS', 'TTL_S'], ['minRate', 'MIN_RATE'], ['coldStartRate', 'COLD_START_RATE'],
  ['rateFactor', 'RATE_FACTOR'], ['confirmS', 'CONFIRM_S'], ['halfLifeS', 'HALF_LIFE_S'], ['suppressS', 'SUPPRESS_S'], ['escalateS', 'ESCALATE_S'],
];

/** Defaults overridden by RAMPART_AUTO_MITIGATION_WARMUP_S, _TTL_S, _MIN_RATE, _COLD_START_RATE, _RATE_FACTOR, _CONFIRM_S, _HALF_LIFE_S, _SUPPRESS_S, _ESCALATE_S. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env, base: AutoMitigationOptions = DEFAULT_AUTO_MITIGATION): AutoMitigationOptions {
  const out: Record<string, number> = { ...base };
  for (const [k, suffix] of ENV) {
    const v = env[`RAMPART_AUTO_MITIGATION_${suffix}`];
    if (v === undefined || v === '') continue;
    const n = Number(v);
    if (Number.isFinite(n) && n >= 0) out[k] = n;
  }
  return out as unknown as AutoMitigationOptions;
}
