/**
 * The request phases before the origin, built in the fixed order of pipeline/run.ts from their dependencies.
 * docs/lifecycle.md draws them; change both together.
 */
import type { Phase } from '../pipeline/phase.ts';
import type { CounterStore, KeyValueStore } from '../../state/ports.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { EdgeMetrics } from '../../telemetry/metrics.ts';
import { createAccessRulesPhase } from './access-rules/index.ts';
import { createFirewallRulesPhase } from './firewall-rules/index.ts';
import { createRateLimitPhase } from './rate-limit/index.ts';
import { createReputationPhase } from './reputation/index.ts';
import { createChallengePhase } from './challenge/index.ts';
import type { ChallengePhase } from './challenge/index.ts';
import { Reputation } from '../../reputation/index.ts';
import { loadOrCreateKeyRing } from '../../mitigation/index.ts';
import { systemClock, systemRandom } from '../../lib/clock.ts';
import type { ChallengeDeps } from '../../mitigation/index.ts';

export interface PhaseDeps {
  readonly logger: Logger;
  readonly metrics: EdgeMetrics;
  readonly counters: CounterStore;
  readonly kv: KeyValueStore;
  readonly now: () => number;
  readonly reputation: Reputation;
  readonly challenge: ChallengeDeps;
}

export interface RequestPhases {
  readonly phases: Phase[];
  readonly challenge: ChallengePhase;
}

export function requestPhases(d: PhaseDeps): RequestPhases {
  let lastComplaint = 0;
  const onError = (zone: string, err: unknown): void => {
    const now = d.now();
    if (now - lastComplaint < 60_000) return; // at most one line a minute: a broken rule must not flood the log
    lastComplaint = now;
    d.logger.error({ zone, err: (err as Error).message }, 'rule evaluation problem (failing open)');
  };
  const challenge = createChallengePhase(d.challenge);
  return {
    challenge,
    phases: [
      createAccessRulesPhase(onError),
      createReputationPhase(d.reputation, () => d.metrics.stateFailures.labels('reputation').inc()),
      createFirewallRulesPhase(onError),
      createRateLimitPhase({ counters: d.counters, kv: d.kv, now: d.now, onError, onStoreFailure: () => d.metrics.stateFailures.labels('rate_limit').inc() }),
      challenge,
    ],
  };
}

/** Build the phases from the node's shared state: the reputation store and the challenge key ring live there. */
export async function createRequestPhases(state: { counters: CounterStore; kv: KeyValueStore }, logger: Logger, metrics: EdgeMetrics): Promise<{ phases: RequestPhases; close(): Promise<void> }> {
  const reputation = new Reputation({ kv: state.kv, clock: systemClock, onError: () => metrics.stateFailures.labels('reputation').inc() });
  const keyRing = await loadOrCreateKeyRing(state.kv, systemRandom);
  const challenge: ChallengeDeps = {
    keyRing, random: systemRandom, replayStore: state.kv,
    log: (e) => logger.debug({ challenge: e }, 'challenge outcome'),
  };
  return {
    phases: requestPhases({ logger, metrics, counters: state.counters, kv: state.kv, now: Date.now, reputation, challenge }),
    close: () => reputation.close(),
  };
}
