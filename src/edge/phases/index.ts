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

export interface PhaseDeps {
  readonly logger: Logger;
  readonly metrics: EdgeMetrics;
  readonly counters: CounterStore;
  readonly kv: KeyValueStore;
  readonly now: () => number;
}

export function requestPhases(d: PhaseDeps): Phase[] {
  let lastComplaint = 0;
  const onError = (zone: string, err: unknown): void => {
    const now = d.now();
    if (now - lastComplaint < 60_000) return; // at most one line a minute: a broken rule must not flood the log
    lastComplaint = now;
    d.logger.error({ zone, err: (err as Error).message }, 'rule evaluation problem (failing open)');
  };
  return [
    createAccessRulesPhase(onError),
    createFirewallRulesPhase(onError),
    createRateLimitPhase({ counters: d.counters, kv: d.kv, now: d.now, onError, onStoreFailure: () => d.metrics.stateFailures.labels('rate_limit').inc() }),
  ];
}
