/** Shared state: the ports, their one-node adapters and the factory main.ts calls. */
export type { Closeable, CounterStore, EventBus, KeyValueStore, Unsubscribe } from './ports.ts';
export { createLocalState } from './local-state.ts';
export type { LocalState, LocalStateOptions } from './local-state.ts';
export { MemoryCounterStore, MemoryEventBus, MemoryKeyValueStore } from './memory/index.ts';
export type { MemoryCounterStoreOptions, MemoryEventBusOptions, MemoryKeyValueStoreOptions } from './memory/index.ts';
export { immediateTransaction, openSqlite, SqliteCounterStore, SqliteEventBus, SqliteKeyValueStore } from './sqlite/index.ts';
export type { OpenSqliteOptions, SqliteCounterStoreOptions, SqliteEventBusOptions, SqliteKeyValueStoreOptions } from './sqlite/index.ts';
