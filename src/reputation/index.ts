export { Reputation } from './reputation.ts';
export type { ReputationOptions, ReputationReport } from './reputation.ts';
export { ReputationEventLog } from './event-log.ts';
export type { LoggedEvent, ReputationEventLogOptions } from './event-log.ts';
export { DEFAULT_REPUTATION_WEIGHTS, REPUTATION_EVENT_KINDS, isReputationEventKind } from './kinds.ts';
export type { ReputationEventKind } from './kinds.ts';
export { SHARED_REPUTATION_OPTIONS, createReputationReader } from './shared.ts';
