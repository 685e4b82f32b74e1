/**
 * Redis connections for the shared-state adapters, configured for fleet mode's failure behaviour:
 * no offline queue (a call made while Redis is unreachable rejects at once instead of queueing), a short connect
 * timeout, a per-command timeout, in-flight commands rejected when the connection drops (never resent: a resent
 * `hit` could count twice), and reconnection forever (min(attempt × 100, 2000) ms), so the same client works again
 * when Redis returns.
 *
 * Nothing here prints the URL (it may hold a password); connection errors go to `onError`.
 */
import { Redis } from 'ioredis';

export interface RedisClientOptions {
  /** A command without an answer after this many milliseconds rejects. Default 500. */
  commandTimeoutMs?: number;
  /** TCP connect timeout in milliseconds. Default 1000. */
  connectTimeoutMs?: number;
  /** Longest wait between reconnection attempts in milliseconds. Default 2000. */
  maxRetryDelayMs?: number;
  /** Connection errors (ioredis 'error' events). Default: one process warning per outage (deduplicated until the
   * connection is ready again). Messages never contain the URL. */
  onError?: (error: Error) => void;
  /** A name for warnings ('command', 'subscriber'...). */
  name?: string;
}

/** The ioredis options used for every connection of the Redis adapters. */
export function redisClientOptions(options: RedisClientOptions = {}): {
  enableOfflineQueue: false;
  connectTimeout: number;
  commandTimeout: number;
  maxRetriesPerRequest: 0;
  autoResendUnfulfilledCommands: false;
  disconnectTimeout: number;
  enableAutoPipelining: true;
  retryStrategy: (attempt: number) => number;
} {
  const commandTimeout = options.commandTimeoutMs ?? 500;
  const connectTimeout = options.connectTimeoutMs ?? 1000;
  const maxDelay = options.maxRetryDelayMs ?? 2000;
  for (const [name, v] of [['commandTimeoutMs', commandTimeout], ['connectTimeoutMs', connectTimeout], ['maxRetryDelayMs', maxDelay]] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${String(v)}`);
  }
  return {
    enableOfflineQueue: false,
    connectTimeout,
    commandTimeout,
    // Commands in flight when the connection drops are rejected at once (0 retries) and never resent.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // How long disconnect() waits for the socket to close before destroying it. ioredis arms this (ref'd) timer
    // even for a socket that is already gone, so the default 2 s would hold the process open after close().
    disconnectTimeout: 200,
    // Commands issued in the same event-loop turn (many requests in flight on a busy worker) go out as one
    // pipeline: one write and one read syscall per batch instead of per command (bench/fleet.sh).
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 100, maxDelay),
  };
}

/** A new client for `url` (redis://[user:password@]host:port[/db] or rediss://...), connecting at once. */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const client = new Redis(url, redisClientOptions(options));
  attachErrorHandler(client, options.onError, options.name ?? 'state');
  return client;
}

/**
 * Listens to the client's 'error' events (without a listener ioredis prints them). The default handler warns once
 * per outage.
 */
export function attachErrorHandler(client: Redis, onError: ((error: Error) => void) | undefined, name: string): void {
  if (onError !== undefined) {
    client.on('error', onError);
    return;
  }
  let warned = false;
  client.on('ready', () => { warned = false; });
  client.on('error', (error: Error) => {
    if (warned) return;
    warned = true;
    process.emitWarning(`Redis ${name} connection: ${error.message} (retrying)`, 'RampartRedis');
  });
}

const pending = new WeakMap<Redis, Promise<void>>();

/**
 * Resolves at once when the client is ready or not trying to connect (the command then succeeds or rejects on its
 * own); while a connection attempt is in progress (startup, or the moment Redis returns) waits for its outcome,
 * at most the client's connect timeout plus its command timeout. Never rejects.
 */
export function whenConnected(client: Redis): Promise<void> | undefined {
  const status = client.status;
  if (status === 'ready') return undefined;
  if (status === 'wait') client.connect().catch(() => {});
  else if (status !== 'connecting' && status !== 'connect') return undefined;
  const existing = pending.get(client);
  if (existing !== undefined) return existing;
  const limitMs = (client.options.connectTimeout ?? 1000) + (client.options.commandTimeout ?? 500);
  const wait = new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      for (const event of EVENTS) client.off(event, done);
      pending.delete(client);
      resolve();
    };
    const timer = setTimeout(done, limitMs);
    timer.unref();
    for (const event of EVENTS) client.once(event, done);
  });
  pending.set(client, wait);
  return wait;
}

const EVENTS = ['ready', 'close', 'end', 'reconnecting'] as const;
