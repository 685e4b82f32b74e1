/**
 * The fleet state factory: counters, key-value and events on one Redis server, with the same shape as
 * `LocalState` (../local-state.ts). One command connection shared by counters, kv and PUBLISH; one subscriber
 * connection for the bus. While Redis is unreachable every call rejects promptly (the caller decides fail-open,
 * e.g. ../fallback.ts); the connections reconnect forever and the same objects work again when Redis returns.
 */
import type { Redis } from 'ioredis';
import { systemClock } from '../../lib/clock.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Closeable } from '../ports.ts';
import { attachErrorHandler, createRedisClient, whenConnected } from './redis-client.ts';
import { RedisCounterStore } from './redis-counter-store.ts';
import { RedisEventBus } from './redis-event-bus.ts';
import { RedisKeyValueStore } from './redis-key-value-store.ts';

export interface RedisStateOptions {
  /** redis://[user:password@]host:port[/db] or rediss://... Never logged. */
  url: string;
  /** Default: the system clock. */
  clock?: Clock;
  /** Prepended to every key and channel. Default 'rampart:'. */
  prefix?: string;
  /** A command without an answer after this many milliseconds rejects. Default 500. */
  commandTimeoutMs?: number;
  /** TCP connect timeout. Default 1000. */
  connectTimeoutMs?: number;
  /** Called when an event handler throws. Default: process.emitWarning. */
  onEventError?: (error: unknown, channel: string) => void;
  /** Connection errors of either connection. Default: one process warning per outage (never the URL). */
  onConnectionError?: (error: Error, connection: 'command' | 'subscriber') => void;
}

export interface RedisState extends Closeable {
  readonly kind: 'redis';
  readonly counters: RedisCounterStore;
  readonly kv: RedisKeyValueStore;
  readonly events: RedisEventBus;
  /** True when the command connection answers PING and the subscriber connection is ready. Never rejects. */
  ping(): Promise<boolean>;
}

export function createRedisState(options: RedisStateOptions): RedisState {
  const clock = options.clock ?? systemClock;
  const prefix = options.prefix ?? 'rampart:';
  const onConnErr = options.onConnectionError;
  const client = createRedisClient(options.url, {
    name: 'command',
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    ...(onConnErr === undefined ? {} : { onError: (e: Error) => onConnErr(e, 'command') }),
  });
  // Same options (timeouts, no offline queue, endless reconnection); the bus re-subscribes itself.
  const subscriber = client.duplicate({ autoResubscribe: false });
  attachErrorHandler(subscriber, onConnErr === undefined ? undefined : (e) => onConnErr(e, 'subscriber'), 'subscriber');
  const counters = new RedisCounterStore({ client, clock, prefix });
  const kv = new RedisKeyValueStore({ client, clock, prefix });
  const events = new RedisEventBus({
    client,
    subscriber,
    prefix,
    ...(options.onEventError === undefined ? {} : { onError: options.onEventError }),
  });
  let closed = false;
  return {
    kind: 'redis',
    counters,
    kv,
    events,
    ping: async () => {
      if (closed) return false;
      try {
        await whenConnected(client);
        await whenConnected(subscriber);
        return (await client.ping()) === 'PONG' && subscriber.status === 'ready';
      } catch {
        return false;
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.allSettled([counters.close(), kv.close(), events.close()]);
      await Promise.allSettled([quit(client), quit(subscriber)]);
    },
  };
}

/** QUIT when connected (bounded by the command timeout), then drop the socket and stop reconnecting. */
async function quit(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
    } catch {
      // Unreachable meanwhile: disconnect below.
    }
  }
  client.disconnect();
}
