/**
 * The cache_store state port: where cached HTTP responses (metadata + body bytes) live.
 *
 * Adapters: src/cache/memory-store.ts (LRU by bytes), src/cache/disk-store.ts (body files + SQLite index),
 * src/cache/tiered-store.ts (memory in front of disk). Every adapter passes the contract suite in
 * src/cache/contract.ts. All methods are async so that networked tiers can drop in.
 *
 * An entry is addressed by a primary key (zone + URL, see src/cache/key.ts) and a variant (the secondary key built
 * from the request values of the response's `Vary` headers; '' when the response has no Vary). An entry becomes
 * visible only when its writer commits: a half-written body is never served.
 */
import type { Readable } from 'node:stream';

/** Response header map: lower-case names; repeated fields (Set-Cookie) may be arrays. */
export type StoredHeaders = Record<string, string | string[]>;

/** What the caller supplies when it starts storing a response. */
export interface NewCacheEntry {
  /** Primary key (src/cache/key.ts `cacheKey`). */
  readonly key: string;
  /** Secondary key from Vary ('' when none). */
  readonly variant: string;
  /** Zone id, for zone-scoped purges. */
  readonly zone: string;
  /** Lower-case host (without default port), for purge by host. */
  readonly host: string;
  /** host + path (no scheme, no query), for purge by prefix, e.g. `shop.test/static/app.js`. */
  readonly hostPath: string;
  readonly status: number;
  readonly headers: StoredHeaders;
  /** Lower-case header names listed in Vary (empty when none). */
  readonly vary: readonly string[];
  /** Tags from the origin's `Cache-Tag` header. */
  readonly tags: readonly string[];
  /** When the request that produced this response was sent (ms since epoch). */
  readonly requestTime: number;
  /** When the response was received (ms since epoch). */
  readonly responseTime: number;
}

/** A committed entry's metadata. */
export interface CacheEntryMeta extends NewCacheEntry {
  /** When the entry was committed (ms since epoch). */
  readonly storedAt: number;
  /** Body size in bytes. */
  readonly size: number;
}

/** An inclusive byte range of the body. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** A looked-up entry: metadata and a way to stream its body. */
export interface CachedEntry {
  readonly meta: CacheEntryMeta;
  /**
   * Stream the body (or an inclusive byte range of it). Each call gives a fresh stream. If the entry was purged
   * between lookup and reading, a disk-backed stream may fail with ENOENT: treat that as an origin miss.
   */
  body(range?: ByteRange): Readable;
}

/** Appends a body chunk by chunk (while it is also being sent to the client), then commits or aborts. */
export interface CacheWriter {
  /**
   * Append a chunk; await it before the next one and do not modify the chunk until it resolves. Rejects (and the
   * writer is aborted) when the entry exceeds the store's entry size limit.
   */
  write(chunk: Uint8Array): Promise<void>;
  /** Make the entry visible (replacing any previous entry with the same key + variant). */
  commit(): Promise<CacheEntryMeta>;
  /** Drop what was written; nothing becomes visible. Safe to call more than once or after a failed write. */
  abort(): Promise<void>;
  /** Bytes written so far. */
  readonly bytesWritten: number;
}

/** What to purge. `zone`, when given, scopes the purge to that zone's entries. */
export type PurgeSelector =
  | { readonly kind: 'keys'; readonly keys: readonly string[] }
  | { readonly kind: 'prefix'; readonly prefixes: readonly string[]; readonly zone?: string }
  | { readonly kind: 'tags'; readonly tags: readonly string[]; readonly zone?: string }
  | { readonly kind: 'hosts'; readonly hosts: readonly string[]; readonly zone?: string }
  | { readonly kind: 'all'; readonly zone?: string };

export interface CacheStoreStats {
  readonly entries: number;
  /** Bytes counted against the store's bound. */
  readonly bytes: number;
}

export interface CacheStore {
  /** Metadata of every stored variant of a primary key (no LRU touch). */
  variants(key: string): Promise<readonly CacheEntryMeta[]>;
  /**
   * Optional fast path: variants known to a front tier, possibly incomplete (used only to learn a key's Vary header
   * names before `get`). Tiered stores answer from memory; callers fall back to `variants` when it is empty.
   */
  hotVariants?(key: string): Promise<readonly CacheEntryMeta[]>;
  /** One entry, marked as recently used; undefined when absent. */
  get(key: string, variant: string): Promise<CachedEntry | undefined>;
  /** Start storing a response; nothing is visible until `commit()`. */
  createWriter(entry: NewCacheEntry): Promise<CacheWriter>;
  /**
   * Replace an entry's headers and request/response times, keeping the body (after a 304 merge).
   * Returns false when the entry is gone.
   */
  updateMeta(key: string, variant: string, update: Pick<NewCacheEntry, 'headers' | 'requestTime' | 'responseTime'>): Promise<boolean>;
  /** Remove one variant, or every variant of `key` when `variant` is undefined. Returns the number removed. */
  delete(key: string, variant?: string): Promise<number>;
  /** Remove every entry matched by the selector; returns the number removed. */
  purge(selector: PurgeSelector): Promise<number>;
  stats(): Promise<CacheStoreStats>;
  close(): Promise<void>;
}
