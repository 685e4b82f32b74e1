/**
 * The cache decision for one request against (at most) one stored response: RFC 9111 §4 for a shared cache, plus
 * RFC 5861 (stale-while-revalidate, stale-if-error) and the zone's Always Online setting.
 */
import { cacheControlOf, requestWantsNoCache } from './cache-control.ts';
import type { CacheControl } from './cache-control.ts';
import { currentAge, freshnessLifetime } from './freshness.ts';
import type { FreshnessSource, StoredResponse } from './freshness.ts';
import type { HeaderMap } from './headers.ts';
import { resolvePolicyOptions } from './options.ts';
import type { PolicyOptions } from './options.ts';
import { conditionalHeaders, hasValidator } from './revalidate.ts';

export interface DecideInput {
  readonly method: string;
  readonly headers: HeaderMap;
  /** The stored response selected for this request (right key and Vary variant), if any. */
  readonly stored?: StoredResponse | undefined;
  /** Now, ms since epoch. */
  readonly now: number;
  readonly options?: PolicyOptions | undefined;
  /** A cache rule said bypass: its reason (e.g. `rule.bypass`). */
  readonly bypass?: string | undefined;
}

/** Timing facts about the stored response, for Age / Cache-Status `ttl=` headers. */
export interface Timing {
  /** current_age, seconds. */
  readonly age: number;
  /** Freshness lifetime, seconds. */
  readonly lifetime: number;
  /** lifetime − age: seconds of freshness left (negative when stale). */
  readonly ttl: number;
  readonly source: FreshnessSource;
}

export type Decision =
  /** Serve the stored response. `stale` when the client allowed it with max-stale. */
  | { readonly kind: 'HIT'; readonly stale: boolean; readonly timing: Timing }
  /** Serve the stored response now and revalidate it in the background with `conditional` (stale-while-revalidate). */
  | { readonly kind: 'STALE'; readonly conditional: Readonly<Record<string, string>>; readonly timing: Timing }
  /** Send a conditional request built from the stored validators; on 304 merge and serve, else replace. */
  | { readonly kind: 'REVALIDATE'; readonly reason: string; readonly conditional: Readonly<Record<string, string>>; readonly timing: Timing }
  /** Fetch from the origin. `reason`: `uri-miss` (nothing stored) or why the stored response cannot be used. */
  | { readonly kind: 'MISS'; readonly reason: string; readonly timing?: Timing | undefined }
  /** Do not use the cache at all (neither look up nor store). */
  | { readonly kind: 'BYPASS'; readonly reason: string }
  /** `only-if-cached` and nothing usable: answer 504 (RFC 9111 §5.2.1.7). */
  | { readonly kind: 'UNAVAILABLE'; readonly reason: 'only-if-cached' };

/** True when the stored response must never be served stale (must-revalidate, proxy-revalidate, s-maxage). */
export function forbidsStale(cc: CacheControl): boolean {
  return cc.mustRevalidate || cc.proxyRevalidate || cc.sMaxage !== undefined;
}

export function timingOf(stored: StoredResponse, now: number, options?: PolicyOptions): Timing {
  const f = freshnessLifetime(stored, options);
  const age = currentAge(stored, now);
  return { age, lifetime: f.lifetime, ttl: f.lifetime - age, source: f.source };
}

export function decide(input: DecideInput): Decision {
  const method = input.method.toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'BYPASS', reason: 'method' };
  if (input.bypass !== undefined) return { kind: 'BYPASS', reason: input.bypass };
  const o = resolvePolicyOptions(input.options);
  const reqCc = cacheControlOf(input.headers);
  const stored = input.stored;
  if (stored === undefined) {
    return reqCc.onlyIfCached ? { kind: 'UNAVAILABLE', reason: 'only-if-cached' } : { kind: 'MISS', reason: 'uri-miss' };
  }
  const cc = cacheControlOf(stored.headers);
  const timing = timingOf(stored, input.now, input.options);
  const revalidate = (reason: string): Decision => {
    if (reqCc.onlyIfCached) return { kind: 'UNAVAILABLE', reason: 'only-if-cached' };
    return hasValidator(stored.headers)
      ? { kind: 'REVALIDATE', reason, conditional: conditionalHeaders(stored.headers), timing }
      : { kind: 'MISS', reason, timing };
  };
  if (o.honorRequestNoCache && requestWantsNoCache(input.headers, reqCc)) return revalidate('request.no-cache');
  if (cc.noCache) return revalidate('no-cache');
  if (timing.ttl > 0) {
    if (reqCc.maxAge !== undefined && timing.age > reqCc.maxAge) return revalidate('request.max-age');
    if (reqCc.minFresh !== undefined && timing.ttl < reqCc.minFresh) return revalidate('request.min-fresh');
    return { kind: 'HIT', stale: false, timing };
  }
  const staleness = -timing.ttl;
  if (!forbidsStale(cc)) {
    if (reqCc.maxStale !== undefined && staleness <= reqCc.maxStale && (reqCc.maxAge === undefined || timing.age <= reqCc.maxAge)) {
      return { kind: 'HIT', stale: true, timing };
    }
    const swr = cc.staleWhileRevalidate ?? o.staleWhileRevalidateSeconds;
    if (swr > 0 && staleness <= swr && !reqCc.onlyIfCached) {
      return { kind: 'STALE', conditional: conditionalHeaders(stored.headers), timing };
    }
  }
  return revalidate(forbidsStale(cc) ? 'expired.must-revalidate' : 'expired');
}

export type StaleOnError =
  | { readonly serve: true; readonly via: 'stale-if-error' | 'always-online'; readonly staleness: number }
  | { readonly serve: false; readonly reason: string };

/**
 * The origin failed (connection error, timeout, or a 5xx): may the stored response be served instead?
 * stale-if-error (response directive, request directive, or zone default) first, then Always Online's maximum
 * staleness. A fresh stored response may always be served. must-revalidate / proxy-revalidate / s-maxage and
 * response no-cache forbid it (RFC 9111 §4.2.4, §5.2.2.2), Always Online included.
 */
export function staleOnError(stored: StoredResponse, reqHeaders: HeaderMap, now: number, options?: PolicyOptions): StaleOnError {
  const o = resolvePolicyOptions(options);
  const cc = cacheControlOf(stored.headers);
  const reqCc = cacheControlOf(reqHeaders);
  const timing = timingOf(stored, now, options);
  const staleness = Math.max(0, -timing.ttl);
  if (cc.noCache) return { serve: false, reason: 'no-cache' };
  if (timing.ttl > 0) return { serve: true, via: 'stale-if-error', staleness: 0 };
  if (forbidsStale(cc)) return { serve: false, reason: 'must-revalidate' };
  const sie = Math.max(cc.staleIfError ?? o.staleIfErrorSeconds, reqCc.staleIfError ?? 0, reqCc.maxStale ?? 0);
  if (sie > 0 && staleness <= sie) return { serve: true, via: 'stale-if-error', staleness };
  if (o.alwaysOnlineMaxStaleSeconds > 0 && staleness <= o.alwaysOnlineMaxStaleSeconds) return { serve: true, via: 'always-online', staleness };
  return { serve: false, reason: 'too-stale' };
}
