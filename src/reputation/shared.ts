/**
 * The reputation settings every process that shares one store must agree on: the edge writes with them, the
 * control plane's reputation API reads with them (issue 6, docs/bots-and-origin.md).
 */
import type { Clock } from '../lib/clock.ts';
import type { KeyValueStore } from '../state/ports.ts';
import { Reputation } from './reputation.ts';

/** Networks scored besides the address (/24, and /48 above the /64 subject of IPv6) and events kept per subject. */
export const SHARED_REPUTATION_OPTIONS = { prefixV4Bits: 24, prefixV6Bits: 48, eventLogSize: 50 } as const;

/** A read-only view of the shared reputation for the control plane (no write buffering, no read cache). */
export function createReputationReader(kv: KeyValueStore, clock: Clock): Pick<Reputation, 'report' | 'score' | 'prefixScore'> {
  return new Reputation({ kv, clock, flushIntervalMs: 0, cacheMs: 0, ...SHARED_REPUTATION_OPTIONS });
}
