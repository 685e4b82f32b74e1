export { counterStoreContract } from './counter-store-contract.ts';
export type { CounterStoreFixture } from './counter-store-contract.ts';
export { keyValueStoreContract } from './key-value-store-contract.ts';
export type { KeyValueStoreFixture } from './key-value-store-contract.ts';
export { eventBusContract } from './event-bus-contract.ts';
export type { EventBusFixture } from './event-bus-contract.ts';
export { waitFor } from './wait-for.ts';
