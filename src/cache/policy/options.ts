/** Per-zone knobs of the cache policy. Every field has a default (see `resolvePolicyOptions`). */
export interface PolicyOptions {
  /** Cap on heuristic freshness, seconds (default 86400: one day). */
  readonly heuristicMaxSeconds?: number;
  /** Fraction of the Last-Modified age used as heuristic freshness (default 0.1). */
  readonly heuristicFraction?: number;
  /**
   * Responses with Set-Cookie: 'refuse' (default, like Cloudflare: not stored), 'strip' (stored without Set-Cookie),
   * 'store' (stored with it: only for zones that know what they do).
   */
  readonly setCookie?: 'refuse' | 'strip' | 'store';
  /** Zone default for stale-while-revalidate when the response has none, seconds (default 0). */
  readonly staleWhileRevalidateSeconds?: number;
  /** Zone default for stale-if-error when the response has none, seconds (default 0). */
  readonly staleIfErrorSeconds?: number;
  /** Always Online: serve stale up to this many seconds when the origin is down or answers 5xx (default 0: off). */
  readonly alwaysOnlineMaxStaleSeconds?: number;
  /** Honour request `no-cache` / `Pragma: no-cache` by revalidating (default true). */
  readonly honorRequestNoCache?: boolean;
  /** Edge TTL override in seconds: replaces the origin's freshness lifetime (cache rule "edge TTL"). */
  readonly edgeTtlSeconds?: number;
  /**
   * Lifetime in seconds for responses without explicit freshness (no s-maxage, max-age or Expires), instead of
   * the heuristic; also makes them storable whatever their status (cache rule "cache everything").
   */
  readonly defaultTtlSeconds?: number;
}

export interface ResolvedPolicyOptions {
  readonly heuristicMaxSeconds: number;
  readonly heuristicFraction: number;
  readonly setCookie: 'refuse' | 'strip' | 'store';
  readonly staleWhileRevalidateSeconds: number;
  readonly staleIfErrorSeconds: number;
  readonly alwaysOnlineMaxStaleSeconds: number;
  readonly honorRequestNoCache: boolean;
  readonly edgeTtlSeconds: number | undefined;
  readonly defaultTtlSeconds: number | undefined;
}

export function resolvePolicyOptions(o: PolicyOptions = {}): ResolvedPolicyOptions {
  return {
    heuristicMaxSeconds: o.heuristicMaxSeconds ?? 86_400,
    heuristicFraction: o.heuristicFraction ?? 0.1,
    setCookie: o.setCookie ?? 'refuse',
    staleWhileRevalidateSeconds: o.staleWhileRevalidateSeconds ?? 0,
    staleIfErrorSeconds: o.staleIfErrorSeconds ?? 0,
    alwaysOnlineMaxStaleSeconds: o.alwaysOnlineMaxStaleSeconds ?? 0,
    honorRequestNoCache: o.honorRequestNoCache ?? true,
    edgeTtlSeconds: o.edgeTtlSeconds,
    defaultTtlSeconds: o.defaultTtlSeconds,
  };
}

/** Status codes heuristically cacheable by default (RFC 9110 §15.1). */
export const HEURISTIC_STATUSES: ReadonlySet<number> = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);

/** Status codes whose semantics this cache understands (for `must-understand`, RFC 9111 §5.2.2.3). */
export const UNDERSTOOD_STATUSES: ReadonlySet<number> = new Set([
  200, 203, 204, 300, 301, 302, 303, 307, 308, 400, 403, 404, 405, 410, 414, 451, 500, 501, 502, 503, 504,
]);
