/**
 * Wiring for the edge: a log-only phase that feeds every finished request to the worker's aggregator, so the
 * integrator adds one entry to the pipeline's `log` list (after the log phase):
 *   log: [logPhase, createAnalyticsLogPhase(aggregator)]
 * Type-only imports of the edge: this folder does not depend on it at run time.
 */
import type { Phase } from '../edge/pipeline/phase.ts';
import type { RequestContext } from '../edge/pipeline/context.ts';
import type { AnalyticsAggregator } from './aggregator.ts';
import { sampleFromContext } from './sample.ts';

export function createAnalyticsLogPhase(aggregator: Pick<AnalyticsAggregator, 'record'>, now: () => number = Date.now): Phase {
  return {
    name: 'log',
    onLog(ctx: RequestContext): void { aggregator.record(sampleFromContext(ctx, now())); },
  };
}
