export { openSqlite, immediateTransaction } from './open-sqlite.ts';
export type { OpenSqliteOptions } from './open-sqlite.ts';
export { SqliteCounterStore } from './sqlite-counter-store.ts';
export type { SqliteCounterStoreOptions } from './sqlite-counter-store.ts';
export { SqliteKeyValueStore } from './sqlite-key-value-store.ts';
export type { SqliteKeyValueStoreOptions } from './sqlite-key-value-store.ts';
export { SqliteEventBus } from './sqlite-event-bus.ts';
export type { SqliteEventBusOptions } from './sqlite-event-bus.ts';
