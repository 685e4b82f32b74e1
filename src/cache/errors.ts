/** Errors of the cache library: a class per failure with a stable `code` (listed in docs/cache.md). */

export type CacheErrorCode = 'CACHE_ENTRY_TOO_LARGE' | 'CACHE_WRITER_CLOSED' | 'CACHE_STORE_CLOSED' | 'CACHE_STORE_LOCKED' | 'CACHE_COALESCE_OVERFLOW';

export class CacheError extends Error {
  readonly code: CacheErrorCode;
  /** Always internal: a cache failure is never the client's nor the origin's fault. */
  readonly source = 'internal' as const;
  /** A cache failure never fails the request by itself: the edge goes to the origin instead. */
  readonly retryable = true;
  constructor(code: CacheErrorCode, message: string) {
    super(message);
    this.name = 'CacheError';
    this.code = code;
  }
}

export function entryTooLarge(limit: number): CacheError {
  return new CacheError('CACHE_ENTRY_TOO_LARGE', `cache entry exceeds ${limit} bytes`);
}

export function writerClosed(): CacheError {
  return new CacheError('CACHE_WRITER_CLOSED', 'cache writer already committed or aborted');
}

export function storeClosed(): CacheError {
  return new CacheError('CACHE_STORE_CLOSED', 'cache store is closed');
}
