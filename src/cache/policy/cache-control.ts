/**
 * Cache-Control parsing (RFC 9111 §5.2) for requests and responses.
 *
 * Robust by design: unknown directives are kept, names are case-insensitive, values may be tokens or quoted strings,
 * the first occurrence of a repeated directive wins (§4.2.1), and a freshness directive with an invalid value
 * (`max-age=abc`, `max-age=-1`) is read as 0, so the response is treated as stale, as §4.2.1 encourages.
 */
import { getHeader, splitList } from './headers.ts';
import type { HeaderMap } from './headers.ts';

/** delta-seconds larger than this are clamped to it (RFC 9111 §1.2.2). */
export const MAX_DELTA_SECONDS = 2_147_483_648;

export interface CacheControl {
  /** Every directive: lower-case name → value (unquoted) or null when it has none. First occurrence wins. */
  readonly directives: ReadonlyMap<string, string | null>;
  readonly maxAge?: number;
  readonly sMaxage?: number;
  /** Request: seconds of staleness accepted; Infinity for a bare `max-stale`. */
  readonly maxStale?: number;
  readonly minFresh?: number;
  readonly staleWhileRevalidate?: number;
  readonly staleIfError?: number;
  readonly noStore: boolean;
  /** `no-cache` without field names. */
  readonly noCache: boolean;
  /** Field names from `no-cache="a, b"` (response only); the fields may be stored but not reused unvalidated. */
  readonly noCacheFields: readonly string[];
  /** `private` without field names. */
  readonly private: boolean;
  /** Field names from `private="a"`; a shared cache may store the response without them. */
  readonly privateFields: readonly string[];
  readonly public: boolean;
  readonly mustRevalidate: boolean;
  readonly proxyRevalidate: boolean;
  readonly mustUnderstand: boolean;
  readonly noTransform: boolean;
  readonly onlyIfCached: boolean;
  readonly immutable: boolean;
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1');
  return v;
}

/** Parse delta-seconds; invalid → 0 (treated as stale); missing value → undefined. */
function delta(v: string | null | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === null || !/^\d+$/.test(v)) return 0;
  const n = Number(v);
  return n > MAX_DELTA_SECONDS ? MAX_DELTA_SECONDS : n;
}

function fieldNames(v: string | null | undefined): string[] {
  if (v === undefined || v === null) return [];
  return v.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
}

/** Parse a Cache-Control field value (already joined). */
export function parseCacheControl(value: string | undefined): CacheControl {
  const directives = new Map<string, string | null>();
  for (const member of splitList(value)) {
    const eq = member.indexOf('=');
    const name = (eq < 0 ? member : member.slice(0, eq)).trim().toLowerCase();
    if (name === '' || !/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name)) continue;
    if (directives.has(name)) continue;
    directives.set(name, eq < 0 ? null : unquote(member.slice(eq + 1).trim()));
  }
  const has = (n: string): boolean => directives.has(n);
  const get = (n: string): string | null | undefined => directives.get(n);
  const noCacheFields = fieldNames(get('no-cache'));
  const privateFields = fieldNames(get('private'));
  const maxStaleRaw = get('max-stale');
  return {
    directives,
    maxAge: delta(get('max-age')),
    sMaxage: delta(get('s-maxage')),
    maxStale: maxStaleRaw === undefined ? undefined : maxStaleRaw === null ? Infinity : delta(maxStaleRaw),
    minFresh: delta(get('min-fresh')),
    staleWhileRevalidate: delta(get('stale-while-revalidate')),
    staleIfError: delta(get('stale-if-error')),
    noStore: has('no-store'),
    noCache: has('no-cache') && noCacheFields.length === 0,
    noCacheFields,
    private: has('private') && privateFields.length === 0,
    privateFields,
    public: has('public'),
    mustRevalidate: has('must-revalidate'),
    proxyRevalidate: has('proxy-revalidate'),
    mustUnderstand: has('must-understand'),
    noTransform: has('no-transform'),
    onlyIfCached: has('only-if-cached'),
    immutable: has('immutable'),
  };
}

/** The parsed Cache-Control of a header map. */
export function cacheControlOf(headers: HeaderMap): CacheControl {
  const v = getHeader(headers, 'cache-control');
  if (v === undefined) return parseCacheControl(undefined);
  // the same few values come back on every hit: parse each once (bounded memo; results are never mutated)
  let cc = memo.get(v);
  if (cc === undefined) {
    cc = parseCacheControl(v);
    if (memo.size >= 1024) memo.clear();
    memo.set(v, cc);
  }
  return cc;
}
const memo = new Map<string, CacheControl>();

/** True when the request asks for an end-to-end revalidation: `no-cache`, or `Pragma: no-cache` without Cache-Control. */
export function requestWantsNoCache(headers: HeaderMap, cc: CacheControl = cacheControlOf(headers)): boolean {
  if (cc.noCache || cc.noCacheFields.length > 0) return true;
  if (getHeader(headers, 'cache-control') === undefined) {
    return splitList(getHeader(headers, 'pragma')).some((p) => p.toLowerCase() === 'no-cache');
  }
  return false;
}
