export { Admission } from './admission.ts';
export type { AbuseKind, AdmissionLimits, AdmissionOptions, AdmissionReason, AdmissionRefusal } from './admission.ts';
export { ConnectionTracker, reservedCount } from './connection-tracker.ts';
export type { ConnectionCaps, ConnectionRefusal } from './connection-tracker.ts';
export { KnownGoodClients } from './known-good.ts';
export { TokenBuckets } from './token-bucket.ts';
export type { TokenBucketOptions } from './token-bucket.ts';
export { H2FrameCounter, guardH2Session } from './h2-guard.ts';
export type { H2Abuse, H2GuardLimits } from './h2-guard.ts';
