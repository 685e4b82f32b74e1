/**
 * What the edge tells the client about the cache: the RFC 9211 `Cache-Status` header and the short
 * `rampart-cache-status` label (HIT, MISS, EXPIRED, STALE, BYPASS, REVALIDATED, UPDATING, DYNAMIC).
 */

export type CacheLabel = 'HIT' | 'MISS' | 'EXPIRED' | 'STALE' | 'BYPASS' | 'REVALIDATED' | 'UPDATING' | 'DYNAMIC';

/** RFC 9211 §2.2 fwd values. */
export type ForwardReason = 'bypass' | 'method' | 'uri-miss' | 'vary-miss' | 'miss' | 'request' | 'stale' | 'partial';

export interface CacheStatusParts {
  /** Served from the cache without going forward. */
  readonly hit?: boolean;
  readonly fwd?: ForwardReason;
  /** Status the next hop answered with (when forwarded). */
  readonly fwdStatus?: number;
  /** Remaining freshness in seconds (may be negative). */
  readonly ttl?: number;
  /** The response was stored. */
  readonly stored?: boolean;
  /** The request was coalesced with another. */
  readonly collapsed?: boolean;
  /** Free-form detail (a token or a string). */
  readonly detail?: string;
}

function sfString(s: string): string {
  return /^[A-Za-z*][A-Za-z0-9_\-.:%*/]*$/.test(s) ? s : `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** One Cache-Status list member for cache `name` (default `rampart`). */
export function formatCacheStatus(p: CacheStatusParts, name = 'rampart'): string {
  const out = [name];
  if (p.hit === true) out.push('hit');
  if (p.fwd !== undefined) out.push(`fwd=${p.fwd}`);
  if (p.fwdStatus !== undefined) out.push(`fwd-status=${p.fwdStatus}`);
  if (p.ttl !== undefined) out.push(`ttl=${Math.trunc(p.ttl)}`);
  if (p.stored === true) out.push('stored');
  if (p.collapsed === true) out.push('collapsed');
  if (p.detail !== undefined) out.push(`detail=${sfString(p.detail)}`);
  return out.join('; ');
}
