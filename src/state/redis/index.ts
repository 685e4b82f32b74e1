/**
 * Redis adapters for the shared-state ports (fleet mode): every edge node shares counters, keys and events.
 *
 * Keys (`prefix` default 'rampart:'; tests and deployments share a server by choosing different prefixes):
 * - `{prefix}ctr:{key}`: hash, field = window in ms, value = "bucket curr prev" (two-bucket sliding window,
 *   ../sliding-window.ts). Relative PEXPIRE 2 windows + 10 s, only ever raised: garbage collection only.
 * - `{prefix}kv:{key}`: hash { v: value, e: absolute expiry in ms from the injected clock (absent = no TTL) }.
 *   Relative PEXPIRE ttl + 10 s when a TTL is set: garbage collection only; logical expiry is `e`.
 * - channel `{prefix}ev:{channel}`: PUBLISH on the command connection, SUBSCRIBE on a dedicated one.
 *
 * Lua scripts (EVALSHA, EVAL on NOSCRIPT, so a restarted Redis works at once): counter `hit` (read, roll buckets,
 * add, write, PEXPIRE, return the state; the count is computed in Node with `estimate`); kv `set`, `setIfAbsent`,
 * `incr`, `delete` (expiry checked against the caller's clock inside the script). `peek`, `get`, `ttl` are one
 * HGET/HMGET; `reset` is DEL. Every bucket and expiry comes from the injected Clock, never from Redis's clock.
 *
 * Failure mode: connections have no offline queue, a 1 s connect timeout and a 500 ms command timeout
 * (`commandTimeoutMs`), so while Redis is down every call REJECTS promptly (never hangs) with a
 * `RedisUnavailableError` (code 'state.unavailable', retryable), and a command in flight when the connection drops
 * is rejected, never resent. Argument errors stay RangeError/TypeError as in every adapter. Calls made while a connection attempt is in progress
 * (startup, the moment Redis returns) wait for that attempt (at most connect + command timeout). The connections
 * reconnect forever (min(attempt × 100, 2000) ms); the same store and bus objects work again afterwards, and the
 * bus re-subscribes its channels (messages published meanwhile are lost: at-most-once). The caller decides
 * fail-open or fail-closed (../fallback.ts wraps counters and kv fail-open). The URL is never logged.
 */
export { createRedisState } from './redis-state.ts';
export type { RedisState, RedisStateOptions } from './redis-state.ts';
export { RedisCounterStore } from './redis-counter-store.ts';
export type { RedisCounterStoreOptions } from './redis-counter-store.ts';
export { RedisKeyValueStore } from './redis-key-value-store.ts';
export type { RedisKeyValueStoreOptions } from './redis-key-value-store.ts';
export { RedisEventBus } from './redis-event-bus.ts';
export type { RedisEventBusOptions } from './redis-event-bus.ts';
export { createRedisClient, redisClientOptions } from './redis-client.ts';
export { RedisUnavailableError } from './redis-errors.ts';
export type { RedisClientOptions } from './redis-client.ts';
