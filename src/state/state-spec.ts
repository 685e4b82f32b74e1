/**
 * Which backend holds a process's shared state, as a plain serialisable value (it crosses the IPC channel to the
 * edge workers), and the one factory that opens it. `redis` is wrapped fail-open (./fallback.ts) over a
 * per-process memory state, so a Redis outage degrades fleet-wide counting to per-node counting, never to errors.
 */
import { systemClock } from '../lib/clock.ts';
import type { Clock } from '../lib/clock.ts';
import { createLocalState } from './local-state.ts';
import type { Closeable, CounterStore, EventBus, KeyValueStore } from './ports.ts';
import { FallbackCounterStore, FallbackKeyValueStore, RemoteBreaker } from './fallback.ts';
import { createRedisState } from './redis/index.ts';

export type StateSpec =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'redis'; readonly url: string; readonly prefix?: string };

export interface SharedState extends Closeable {
  readonly kind: StateSpec['kind'];
  readonly counters: CounterStore;
  readonly kv: KeyValueStore;
  readonly events: EventBus;
  /** False while a remote backend is failing (calls are answered locally). Always true for local kinds. */
  remoteUp(): boolean;
}

export interface OpenStateOptions {
  readonly clock?: Clock;
  /** Remote backend went down (with the error) or came back. */
  readonly onRemoteChange?: (up: boolean, error?: unknown) => void;
  /** A call was answered locally because the remote is down. */
  readonly onFallback?: () => void;
  readonly onEventError?: (error: unknown, channel: string) => void;
}

export function openState(spec: StateSpec, o: OpenStateOptions = {}): SharedState {
  const clock = o.clock ?? systemClock;
  if (spec.kind !== 'redis') {
    const s = createLocalState({ ...spec, clock, ...(o.onEventError ? { onEventError: o.onEventError } : {}) });
    return { kind: s.kind, counters: s.counters, kv: s.kv, events: s.events, remoteUp: () => true, close: () => s.close() };
  }
  const local = createLocalState({ kind: 'memory', clock });
  const remote = createRedisState({ url: spec.url, clock, prefix: spec.prefix ?? 'rampart:', ...(o.onEventError ? { onEventError: o.onEventError } : {}) });
  const breaker = new RemoteBreaker({ clock, ...(o.onRemoteChange ? { onChange: o.onRemoteChange } : {}), ...(o.onFallback ? { onFallback: o.onFallback } : {}) });
  return {
    kind: 'redis',
    counters: new FallbackCounterStore(remote.counters, local.counters, breaker),
    kv: new FallbackKeyValueStore(remote.kv, local.kv, breaker),
    events: remote.events,
    remoteUp: () => breaker.up,
    close: async () => { await Promise.allSettled([remote.close(), local.close()]); },
  };
}

/** A URL with its password replaced, for logs and banners. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
