/** Freshness lifetime and age (RFC 9111 §4.2). Times in milliseconds since the epoch; results in seconds. */
import { cacheControlOf } from './cache-control.ts';
import { getHeader, parseHttpDate } from './headers.ts';
import type { HeaderMap } from './headers.ts';
import { HEURISTIC_STATUSES, resolvePolicyOptions } from './options.ts';
import type { PolicyOptions } from './options.ts';

/** A stored response as the freshness rules see it. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: HeaderMap;
  /** When the request was sent (ms). */
  readonly requestTime: number;
  /** When the response was received (ms). */
  readonly responseTime: number;
}

export type FreshnessSource = 'edge-ttl' | 'default-ttl' | 's-maxage' | 'max-age' | 'expires' | 'heuristic' | 'none';

export interface Freshness {
  /** Seconds (may be fractional for heuristics; 0 = stale at once). */
  readonly lifetime: number;
  readonly source: FreshnessSource;
}

/**
 * §4.2.1: s-maxage (shared cache) > max-age > Expires − Date > heuristic (a fraction of Date − Last-Modified, capped)
 * for heuristically cacheable statuses or `public` responses. An invalid Expires means already expired.
 */
export function freshnessLifetime(res: Pick<StoredResponse, 'status' | 'headers' | 'responseTime'>, options?: PolicyOptions): Freshness {
  const o = resolvePolicyOptions(options);
  if (o.edgeTtlSeconds !== undefined) return { lifetime: o.edgeTtlSeconds, source: 'edge-ttl' };
  const cc = cacheControlOf(res.headers);
  if (cc.sMaxage !== undefined) return { lifetime: cc.sMaxage, source: 's-maxage' };
  if (cc.maxAge !== undefined) return { lifetime: cc.maxAge, source: 'max-age' };
  const expiresRaw = getHeader(res.headers, 'expires');
  const date = parseHttpDate(getHeader(res.headers, 'date')) ?? res.responseTime;
  if (expiresRaw !== undefined) {
    const expires = parseHttpDate(expiresRaw);
    if (expires === undefined) return { lifetime: 0, source: 'expires' };
    return { lifetime: Math.max(0, (expires - date) / 1000), source: 'expires' };
  }
  if (o.defaultTtlSeconds !== undefined) return { lifetime: o.defaultTtlSeconds, source: 'default-ttl' };
  if (HEURISTIC_STATUSES.has(res.status) || cc.public) {
    const lm = parseHttpDate(getHeader(res.headers, 'last-modified'));
    if (lm !== undefined && lm < date) {
      const h = Math.floor(((date - lm) / 1000) * o.heuristicFraction);
      return { lifetime: Math.min(h, o.heuristicMaxSeconds), source: 'heuristic' };
    }
  }
  return { lifetime: 0, source: 'none' };
}

/** §4.2.3 current_age, in seconds, at `now` (ms). */
export function currentAge(res: StoredResponse, now: number): number {
  const ageHeader = getHeader(res.headers, 'age');
  const ageValue = ageHeader !== undefined && /^\s*\d+\s*$/.test(ageHeader) ? Number(ageHeader) : 0;
  const dateValue = parseHttpDate(getHeader(res.headers, 'date')) ?? res.responseTime;
  const apparentAge = Math.max(0, (res.responseTime - dateValue) / 1000);
  const responseDelay = Math.max(0, (res.responseTime - res.requestTime) / 1000);
  const correctedAgeValue = ageValue + responseDelay;
  const correctedInitialAge = Math.max(apparentAge, correctedAgeValue);
  const residentTime = Math.max(0, (now - res.responseTime) / 1000);
  return correctedInitialAge + residentTime;
}

/** §4.2: fresh while lifetime > age. */
export function isFresh(res: StoredResponse, now: number, options?: PolicyOptions): boolean {
  return freshnessLifetime(res, options).lifetime > currentAge(res, now);
}

/** Whole seconds for an `Age` header. */
export function ageHeaderValue(res: StoredResponse, now: number): string {
  return String(Math.floor(currentAge(res, now)));
}
