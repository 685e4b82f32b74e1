/**
 * Rampart's HTTP cache library (no HTTP-server imports: plain header maps and byte streams).
 *
 * Typical use on the edge (see docs/cache.md for the full flow):
 *   key = cacheKey(parts, zoneKeyOptions)
 *   hit = await lookupEntry(store, key, req.headers)             // the Vary-matching variant
 *   d   = decide({ method, headers, stored: hit?.meta, now, options })
 *   HIT/STALE → serveRange/headFromGet + hit.body(range); STALE also revalidates in the background
 *   REVALIDATE → forward with d.conditional; 304 → mergeNotModified + store.updateMeta; else store the new one
 *   MISS → coalescer.run(key, fetch); if isStorable(...) → store.createWriter(buildEntry(...)), write chunks while
 *          sending, commit at the end / abort on error
 *   origin error or 5xx with a stored entry → staleOnError(...)
 *   unsafe method → invalidationTargets(...) → store.purge({ kind: 'keys', keys })
 */

// Policy (RFC 9111).
export * from './policy/index.ts';

// Keys and variants.
export { cacheKey, keyForUrl, keyQuery, hostPath, normalizeHost, varyHeaderNames, variantKey, normalizeAcceptEncoding, parseCacheTags, SERVED_ENCODINGS } from './key.ts';
export type { KeyOptions, KeyParts, ServedEncoding } from './key.ts';

// Exchange ↔ store glue, response headers.
export { buildEntry, lookupEntry, hitHeaders, freshenEntry } from './entry.ts';
export type { ExchangeToStore } from './entry.ts';
export { formatCacheStatus } from './cache-status.ts';
export type { CacheLabel, CacheStatusParts, ForwardReason } from './cache-status.ts';

// Range and HEAD.
export { serveRange, parseRange, headFromGet } from './range.ts';
export type { RangeResult } from './range.ts';

// Stores (the CacheStore port lives in src/state/cache-store.ts).
export type {
  CacheStore, CacheEntryMeta, NewCacheEntry, CachedEntry, CacheWriter, PurgeSelector, CacheStoreStats, ByteRange, StoredHeaders,
} from '../state/cache-store.ts';
export { MemoryCacheStore, entryBuffer } from './memory-store.ts';
export type { MemoryCacheStoreOptions, InMemoryEntry } from './memory-store.ts';
export { DiskCacheStore } from './disk-store.ts';
export type { DiskCacheStoreOptions } from './disk-store.ts';
export { TieredCacheStore } from './tiered-store.ts';
export type { TieredCacheStoreOptions } from './tiered-store.ts';
export { openEdgeCacheStore, DEFAULT_MEMORY_BYTES, DEFAULT_DISK_BYTES } from './edge-store.ts';
export type { EdgeCacheStore, EdgeCacheStoreOptions } from './edge-store.ts';

// Streaming a body to the client and into the cache.
export { cacheWhileStreaming } from './stream-to-cache.ts';
export type { StreamToCacheOptions } from './stream-to-cache.ts';

// Cache-busting defence.
export { QueryVariantLimiter } from './query-variant-limiter.ts';
export type { QueryVariantLimiterOptions } from './query-variant-limiter.ts';

// Coalescing.
export { Coalescer, streamFanout } from './coalescer.ts';
export type { CoalescerOptions, CoalesceResult, CoalescedResponse, Fanout } from './coalescer.ts';
export { BodyBroadcast } from './body-broadcast.ts';

// Cache rules (shared by the API and the edge).
export { CacheRuleSchema, CacheRuleActionSchema, CacheKeySettingsSchema, CACHE_RULE_KIND, compilePathPattern, foldCacheRules, NO_CACHE_RULE } from './cache-rule.ts';
export type { CacheRule, CacheRuleAction, CacheKeySettings, CacheRuleOutcome } from './cache-rule.ts';

// Errors.
export { CacheError } from './errors.ts';
export type { CacheErrorCode } from './errors.ts';
