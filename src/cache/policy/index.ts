/** RFC 9111 cache policy on plain header maps: parse, storability, freshness, decision, validation, invalidation. */
export { parseCacheControl, cacheControlOf, requestWantsNoCache, MAX_DELTA_SECONDS } from './cache-control.ts';
export type { CacheControl } from './cache-control.ts';
export { getHeader, splitList, parseHttpDate, formatHttpDate, withoutHeaders } from './headers.ts';
export type { HeaderMap } from './headers.ts';
export { resolvePolicyOptions, HEURISTIC_STATUSES, UNDERSTOOD_STATUSES } from './options.ts';
export type { PolicyOptions, ResolvedPolicyOptions } from './options.ts';
export { isStorable } from './storable.ts';
export type { RequestInfo, ResponseInfo, Storability } from './storable.ts';
export { freshnessLifetime, currentAge, isFresh, ageHeaderValue } from './freshness.ts';
export type { StoredResponse, Freshness, FreshnessSource } from './freshness.ts';
export { decide, staleOnError, forbidsStale, timingOf } from './decide.ts';
export type { DecideInput, Decision, Timing, StaleOnError } from './decide.ts';
export { conditionalHeaders, hasValidator, mergeNotModified } from './revalidate.ts';
export type { MergeResult } from './revalidate.ts';
export { invalidationTargets } from './invalidate.ts';
export { clientNotModified, NOT_MODIFIED_FIELDS } from './client-conditional.ts';
