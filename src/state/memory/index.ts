export { MemoryCounterStore } from './memory-counter-store.ts';
export type { MemoryCounterStoreOptions } from './memory-counter-store.ts';
export { MemoryKeyValueStore } from './memory-key-value-store.ts';
export type { MemoryKeyValueStoreOptions } from './memory-key-value-store.ts';
export { MemoryEventBus } from './memory-event-bus.ts';
export type { MemoryEventBusOptions } from './memory-event-bus.ts';
