export { Reputation } from './reputation.ts';
export type { ReputationOptions } from './reputation.ts';
export { DEFAULT_REPUTATION_WEIGHTS, REPUTATION_EVENT_KINDS, isReputationEventKind } from './kinds.ts';
export type { ReputationEventKind } from './kinds.ts';
