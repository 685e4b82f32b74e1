/**
 * The one-node state factory: the three shared-state ports on memory (one process) or on one SQLite file (every
 * worker process of the machine opening the same path shares counters, keys and events). A fleet will get a
 * sibling factory for Redis/Postgres; callers see only the ports.
 */
import { systemClock } from '../lib/clock.ts';
import type { Clock } from '../lib/clock.ts';
import { MemoryCounterStore, MemoryEventBus, MemoryKeyValueStore } from './memory/index.ts';
import type { Closeable, CounterStore, EventBus, KeyValueStore } from './ports.ts';
import { openSqlite, SqliteCounterStore, SqliteEventBus, SqliteKeyValueStore } from './sqlite/index.ts';

export interface LocalState extends Closeable {
  readonly kind: 'memory' | 'sqlite';
  readonly counters: CounterStore;
  readonly kv: KeyValueStore;
  readonly events: EventBus;
}

export interface LocalStateOptions {
  kind: 'memory' | 'sqlite';
  /** SQLite file (required for 'sqlite'; ':memory:' gives a private, unshared database). */
  path?: string;
  /** Default: the system clock. */
  clock?: Clock;
  /** SQLite lock wait in milliseconds. Default 5000. */
  busyTimeoutMs?: number;
  /** SQLite event bus poll period in real milliseconds. Default 50. */
  pollIntervalMs?: number;
  /** Memory adapters: most counter keys and key-value entries kept. Default 1,000,000 each. */
  maxKeys?: number;
  /** Called when an event handler throws (or a SQLite poll fails). Default: process.emitWarning. */
  onEventError?: (error: unknown, channel: string) => void;
}

export function createLocalState(options: LocalStateOptions): LocalState {
  const clock = options.clock ?? systemClock;
  const onError = options.onEventError;
  if (options.kind === 'memory') {
    const counters = new MemoryCounterStore({ clock, ...(options.maxKeys === undefined ? {} : { maxKeys: options.maxKeys }) });
    const kv = new MemoryKeyValueStore({ clock, ...(options.maxKeys === undefined ? {} : { maxEntries: options.maxKeys }) });
    const events = new MemoryEventBus(onError === undefined ? {} : { onError });
    return {
      kind: 'memory',
      counters,
      kv,
      events,
      close: async () => {
        await Promise.all([counters.close(), kv.close(), events.close()]);
      },
    };
  }
  if (options.kind === 'sqlite') {
    if (options.path === undefined || options.path === '') throw new TypeError("createLocalState: kind 'sqlite' needs a path");
    const db = openSqlite(options.path, options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs });
    try {
      const counters = new SqliteCounterStore({ db, clock });
      const kv = new SqliteKeyValueStore({ db, clock });
      const events = new SqliteEventBus({
        db,
        clock,
        ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
        ...(onError === undefined ? {} : { onError }),
      });
      let closed = false;
      return {
        kind: 'sqlite',
        counters,
        kv,
        events,
        close: async () => {
          if (closed) return;
          closed = true;
          await Promise.all([counters.close(), kv.close(), events.close()]);
          db.close();
        },
      };
    } catch (error) {
      db.close();
      throw error;
    }
  }
  throw new TypeError(`createLocalState: unknown kind ${String((options as { kind: unknown }).kind)}`);
}
