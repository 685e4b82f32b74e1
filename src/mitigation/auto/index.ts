/**
 * Automatic mitigation (issue 6): per-zone baselines, anomaly detection, the segment that explains a surge, the
 * least harsh action, and automatic rules that expire by themselves, shared through the KeyValueStore.
 * docs/mitigation-auto.md explains the model.
 */
export { AutoMitigation } from './engine.ts';
export type { AutoMitigationDeps } from './engine.ts';
export { DEFAULT_AUTO_MITIGATION, optionsFromEnv } from './options.ts';
export type { AutoMitigationOptions } from './options.ts';
export { ZoneMonitor } from './zone-monitor.ts';
export type { MonitorDecision, TickContext } from './zone-monitor.ts';
export { Baseline } from './baseline.ts';
export type { SecondSample } from './baseline.ts';
export { detect, originDistress } from './detector.ts';
export type { Signal } from './detector.ts';
export { candidates, findSegment } from './segment-finder.ts';
export type { SegmentCandidate } from './segment-finder.ts';
export { chooseAction } from './action.ts';
export type { ChosenAction } from './action.ts';
export { SpaceSaving } from './space-saving.ts';
export type { HeavyHitter } from './space-saving.ts';
export { SEGMENT_DIMS, describeFingerprint, fingerprintOf, pathOf, prefixOf, traitOf, uaOf } from './traits.ts';
export type { SegmentDim, Traits } from './traits.ts';
export { describeRule, isActive, matches, ruleId, sameSegment, segmentLabel } from './rule.ts';
export type { AutoAction, AutoRule, AutoSegment } from './rule.ts';
export { AUTO_DIR_KEY, extendRule, liftRule, parseDir, publishRule, pruneRules, readDir, readRules, updateRules, zoneIndexKey } from './store.ts';
