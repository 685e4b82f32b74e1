/**
 * Per-zone analytics (issue 10): edge workers aggregate requests in memory (`AnalyticsAggregator`, fed by
 * `sampleFromContext` in the log phase) and flush deltas every few seconds into the `AnalyticsStore` port
 * (src/state/ports.ts); the control plane rolls up, prunes and answers the dashboard API. docs/analytics.md.
 */
export { AnalyticsAggregator } from './aggregator.ts';
export type { AggregatorStats, AnalyticsAggregatorOptions, FlushTimers } from './aggregator.ts';
export { sampleFromContext, threatOf, servedFromCache, isPageview, THREAT_KINDS } from './sample.ts';
export type { AnalyticsSample, ThreatKind } from './sample.ts';
export { createAnalyticsLogPhase } from './log-hook.ts';
export { startAnalyticsMaintenance } from './maintenance.ts';
export type { AnalyticsMaintenance, AnalyticsMaintenanceOptions } from './maintenance.ts';
export { deltaFromSamples, MinuteBucket } from './bucket.ts';
export { buildSeries, checkDelta, emptyRow, foldIntoHours, mergeRows, rollupBefore, DAY_MS, HOUR_MS, MINUTE_MS, HOUR_RETENTION_MS, MINUTE_RETENTION_MS } from './rows.ts';
export { HyperLogLog, mergeEncodedHll } from './hll.ts';
export { SpaceSaving, mergeTopSketches, DEFAULT_TOP_K } from './top-k.ts';
