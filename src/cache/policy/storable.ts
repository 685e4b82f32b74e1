/** May a shared cache store this response? RFC 9111 §3 (and §3.5 for Authorization). */
import { cacheControlOf } from './cache-control.ts';
import { getHeader, splitList } from './headers.ts';
import type { HeaderMap } from './headers.ts';
import { HEURISTIC_STATUSES, UNDERSTOOD_STATUSES, resolvePolicyOptions } from './options.ts';
import type { PolicyOptions } from './options.ts';

export interface RequestInfo {
  readonly method: string;
  readonly headers: HeaderMap;
}

export interface ResponseInfo {
  readonly status: number;
  readonly headers: HeaderMap;
}

export type Storability =
  /** `strip`: header fields to remove before storing (qualified private/no-cache, Set-Cookie in 'strip' mode). */
  | { readonly storable: true; readonly strip: readonly string[] }
  | { readonly storable: false; readonly reason: string };

function no(reason: string): Storability {
  return { storable: false, reason };
}

/**
 * Decide storability for a shared cache. Only GET responses are stored: HEAD is answered from a stored GET, and
 * the edge should fetch GET upstream on a HEAD miss when it wants to fill the cache. 206 is not stored (ranges are
 * served from full objects).
 */
export function isStorable(req: RequestInfo, res: ResponseInfo, options?: PolicyOptions): Storability {
  const o = resolvePolicyOptions(options);
  if (req.method.toUpperCase() !== 'GET') return no(req.method.toUpperCase() === 'HEAD' ? 'method.head' : 'method');
  if (res.status < 200 || res.status > 599) return no('status.non-final');
  if (res.status === 206) return no('status.partial');
  if (res.status === 304) return no('status.not-modified');
  const reqCc = cacheControlOf(req.headers);
  const cc = cacheControlOf(res.headers);
  if (reqCc.noStore) return no('request.no-store');
  if (cc.mustUnderstand) {
    // §5.2.2.3: a cache that understands the status ignores no-store; otherwise it must not store.
    if (!UNDERSTOOD_STATUSES.has(res.status)) return no('must-understand');
  } else if (cc.noStore) return no('no-store');
  if (cc.private) return no('private');
  const vary = splitList(getHeader(res.headers, 'vary'));
  if (vary.some((v) => v === '*')) return no('vary.star');
  if (getHeader(req.headers, 'authorization') !== undefined && !(cc.public || cc.mustRevalidate || cc.sMaxage !== undefined)) {
    return no('authorization');
  }
  const strip: string[] = [...cc.privateFields, ...cc.noCacheFields];
  if (res.headers['set-cookie'] !== undefined) {
    if (o.setCookie === 'refuse') return no('set-cookie');
    if (o.setCookie === 'strip') strip.push('set-cookie');
  }
  const explicit = cc.sMaxage !== undefined || cc.maxAge !== undefined || getHeader(res.headers, 'expires') !== undefined;
  if (!(explicit || cc.public || HEURISTIC_STATUSES.has(res.status) || o.edgeTtlSeconds !== undefined || o.defaultTtlSeconds !== undefined)) return no('status');
  return { storable: true, strip: [...new Set(strip)] };
}
