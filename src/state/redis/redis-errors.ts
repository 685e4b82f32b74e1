/**
 * The one error the Redis adapters add: Redis could not be asked (connection down or connecting, command timeout,
 * server loading, read-only replica, out of memory...). Callers choose fail-open on it (code 'state.unavailable',
 * retryable). Argument errors (RangeError, TypeError) and faults Redis reports for a command (WRONGTYPE, ERR: a bug
 * or a foreign key under our prefix) are not wrapped.
 */
import type { Redis } from 'ioredis';
import { whenConnected } from './redis-client.ts';

export class RedisUnavailableError extends Error {
  readonly code = 'state.unavailable';
  readonly source = 'internal';
  readonly retryable = true;

  constructor(cause: unknown) {
    super(`Redis unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RedisUnavailableError';
  }
}

/**
 * Runs one Redis round trip on `client` (after an in-progress connection attempt, see whenConnected), turning
 * availability failures into RedisUnavailableError.
 */
export async function redisCall<T>(client: Redis, fn: () => Promise<T>): Promise<T> {
  try {
    await whenConnected(client);
    return await fn();
  } catch (error) {
    if (error instanceof Error && error.name === 'ReplyError' && /^(?:WRONGTYPE|ERR)\b/.test(error.message)) throw error;
    throw new RedisUnavailableError(error);
  }
}
