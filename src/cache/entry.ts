/** Glue between an HTTP exchange and the store: build the entry to store, find the stored variant for a request. */
import type { CacheEntryMeta, CacheStore, CachedEntry, NewCacheEntry } from '../state/cache-store.ts';
import { ageHeaderValue } from './policy/freshness.ts';
import { mergeNotModified } from './policy/revalidate.ts';
import { cacheKey, hostPath, normalizeHost, parseCacheTags, variantKey, varyHeaderNames } from './key.ts';
import type { KeyOptions, KeyParts } from './key.ts';
import { getHeader, withoutHeaders } from './policy/headers.ts';
import type { HeaderMap } from './policy/headers.ts';

export interface ExchangeToStore {
  readonly url: KeyParts;
  readonly keyOptions?: KeyOptions;
  readonly requestHeaders: HeaderMap;
  readonly status: number;
  readonly responseHeaders: HeaderMap;
  readonly requestTime: number;
  readonly responseTime: number;
  /** Fields to drop (isStorable's `strip`). */
  readonly strip?: readonly string[];
  /** Name of the tag header (default `cache-tag`); it is not stored with the response (tags are kept in metadata). */
  readonly tagHeader?: string;
}

/** The NewCacheEntry for a storable response: key, variant from Vary, tags, stored headers (no hop-by-hop). */
export function buildEntry(x: ExchangeToStore): NewCacheEntry {
  const tagHeader = x.tagHeader ?? 'cache-tag';
  const vary = varyHeaderNames(getHeader(x.responseHeaders, 'vary'));
  const scheme = x.url.scheme.toLowerCase();
  return {
    key: cacheKey(x.url, x.keyOptions),
    variant: variantKey(vary, x.requestHeaders),
    zone: x.url.zone,
    host: normalizeHost(x.url.host, scheme),
    hostPath: hostPath(x.url.host, scheme, x.url.path),
    status: x.status,
    headers: withoutHeaders(x.responseHeaders, [...(x.strip ?? []), tagHeader]),
    vary,
    tags: parseCacheTags(getHeader(x.responseHeaders, tagHeader)),
    requestTime: x.requestTime,
    responseTime: x.responseTime,
  };
}

/**
 * The stored entry matching this request: the variant whose Vary values (normalised) equal the request's.
 * Marks it recently used. Undefined on a miss.
 */
export async function lookupEntry(store: CacheStore, key: string, requestHeaders: HeaderMap): Promise<CachedEntry | undefined> {
  const hot = store.hotVariants === undefined ? [] : await store.hotVariants(key);
  const metas = hot.length > 0 ? hot : await store.variants(key);
  if (metas.length === 0) return undefined;
  const tried = new Set<string>();
  for (const m of metas) {
    const want = variantKey(m.vary, requestHeaders);
    if (tried.has(want)) continue;
    tried.add(want);
    const found = await store.get(key, want);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Headers to send with a stored response at `now`: the stored ones with `Age` set (RFC 9111 §5.1). */
export function hitHeaders(meta: Pick<CacheEntryMeta, 'status' | 'headers' | 'requestTime' | 'responseTime'>, now: number): Record<string, string | string[]> {
  return { ...meta.headers, age: ageHeaderValue(meta, now) };
}

/**
 * Apply a 304 to the stored entry (RFC 9111 §4.3.4): merge its headers and record the revalidation's times.
 * Returns the merged headers, or undefined when the 304 does not match the stored response (different strong
 * ETag) or the entry is gone: then fetch unconditionally.
 */
export async function freshenEntry(
  store: CacheStore, meta: Pick<CacheEntryMeta, 'key' | 'variant' | 'headers'>, notModifiedHeaders: HeaderMap, requestTime: number, responseTime: number,
): Promise<Record<string, string | string[]> | undefined> {
  const merged = mergeNotModified(meta.headers, notModifiedHeaders);
  if (!merged.matched) return undefined;
  const ok = await store.updateMeta(meta.key, meta.variant, { headers: merged.headers, requestTime, responseTime });
  return ok ? merged.headers : undefined;
}
