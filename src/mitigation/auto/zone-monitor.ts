/**
 * One zone on one worker: counts the current second (rate, origin outcomes, heavy hitters per dimension), and on
 * each tick closes the second, checks it against the baseline, and says what to do: nothing, create a rule, or
 * extend rules still needed. Learning is frozen while traffic is anomalous (and while a rule is in force and the
 * rate is still well above normal), so the baseline never learns the attack.
 */
import { Baseline } from './baseline.ts';
import type { SecondSample } from './baseline.ts';
import { detect } from './detector.ts';
import type { Signal } from './detector.ts';
import { findSegment } from './segment-finder.ts';
import { chooseAction } from './action.ts';
import type { AutoMitigationOptions } from './options.ts';
import { SpaceSaving } from './space-saving.ts';
import type { SegmentDim, Traits } from './traits.ts';
import { describeRule, isActive, ruleId, sameSegment } from './rule.ts';
import type { AutoRule, AutoSegment } from './rule.ts';

export type MonitorDecision =
  | { readonly kind: 'create'; readonly rule: AutoRule }
  | { readonly kind: 'extend'; readonly ruleId: string; readonly expiresAt: number };

export interface TickContext {
  /** The zone's configured security level. */
  readonly securityLevel: string;
  readonly mode: 'on' | 'log';
  /** The zone's rules as last known (active, expired and lifted). */
  readonly rules: readonly AutoRule[];
}

export class ZoneMonitor {
  readonly zoneId: string;
  readonly baseline: Baseline;
  /** Last request seen (clock ms). */
  lastSeen = 0;
  /** Settings seen on the last request. */
  securityLevel = 'medium';
  mode: 'on' | 'log' = 'on';
  /** The last tick's signal (undefined: normal), for metrics and tests. */
  lastSignal: Signal | undefined;
  #total = 0;
  #originCount = 0;
  #originErrors = 0;
  #originMsSum = 0;
  #originMsCount = 0;
  readonly #sketches: Record<SegmentDim, SpaceSaving>;
  #run = 0;
  readonly #o: AutoMitigationOptions;

  constructor(zoneId: string, o: AutoMitigationOptions) {
    this.zoneId = zoneId;
    this.#o = o;
    this.baseline = new Baseline(o.warmupS, o.halfLifeS);
    const c = o.sketchCapacity;
    this.#sketches = { prefix: new SpaceSaving(c), ua: new SpaceSaving(c), fingerprint: new SpaceSaving(c), path: new SpaceSaving(c) };
  }

  observe(t: Traits): void {
    this.#total++;
    const s = this.#sketches;
    s.prefix.add(t.prefix); s.ua.add(t.ua); s.fingerprint.add(t.fingerprint); s.path.add(t.path);
  }

  observeOrigin(ms: number, error: boolean): void {
    this.#originCount++;
    if (error) this.#originErrors++;
    if (ms >= 0) { this.#originMsSum += ms; this.#originMsCount++; }
  }

  /** Close the current second. */
  tick(now: number, c: TickContext): MonitorDecision[] {
    const sample: SecondSample = { total: this.#total, originCount: this.#originCount, originErrors: this.#originErrors, originMsSum: this.#originMsSum, originMsCount: this.#originMsCount, sketches: this.#sketches };
    if (this.#total > 0) this.lastSeen = now;
    const out = this.#decide(now, sample, c);
    this.#total = 0; this.#originCount = 0; this.#originErrors = 0; this.#originMsSum = 0; this.#originMsCount = 0;
    for (const k in this.#sketches) this.#sketches[k as SegmentDim].reset();
    return out;
  }

  #decide(now: number, s: SecondSample, c: TickContext): MonitorDecision[] {
    const o = this.#o;
    const b = this.baseline;
    const sig = detect(s, b, o);
    this.lastSignal = sig;
    const active = c.rules.filter((r) => isActive(r, now));
    if (sig === undefined) {
      this.#run = 0;
      if (active.length === 0 || s.total <= 1.5 * b.rate) b.learn(s);
      return [];
    }
    if (++this.#run < o.confirmS) return [];
    const expiresAt = now + o.ttlS * 1000;
    const refreshBefore = expiresAt - Math.max(1000, o.ttlS * 200); // re-publish an extension at most every ttl/5
    const out: MonitorDecision[] = [];
    const surge = s.total - sig.expected;
    // rules in force whose segment still carries a good part of the surge: keep them
    for (const r of active) {
      const still = r.segment === null || s.sketches[r.segment.dim].estimate(r.segment.key) - sig.expected * b.share(r.segment.dim, r.segment.key) >= 0.2 * surge;
      if (still && r.expiresAt < refreshBefore) out.push({ kind: 'extend', ruleId: r.id, expiresAt });
    }
    const cand = findSegment(s, b, sig);
    const segment: AutoSegment | null = cand === undefined ? null : { dim: cand.dim, key: cand.key, share: Math.min(1, Math.round(cand.explained * 1000) / 1000) };
    if (active.some((r) => sameSegment(r.segment, segment))) return out;
    // cold start acts only on one dominant segment; one raised security level at a time
    if (segment === null && (sig.kind === 'cold_start' || active.some((r) => r.segment === null))) return out;
    if (active.length >= o.maxRules) return out;
    if (c.rules.some((r) => r.liftedAt !== undefined && r.liftedAt > now - o.suppressS * 1000 && sameSegment(r.segment, segment))) return out;
    const act = chooseAction(cand, c.securityLevel, o);
    if (act === undefined) return out;
    const extra = { ...(act.rps !== undefined ? { rps: act.rps } : {}), ...(act.level !== undefined ? { level: act.level } : {}) };
    const rule: AutoRule = {
      id: ruleId(this.zoneId, segment, now), zoneId: this.zoneId, signal: sig.kind, signalDetail: sig.detail, segment,
      action: act.action, ...extra, reason: describeRule(sig.detail, segment, act.action, extra), mode: c.mode,
      createdAt: now, expiresAt,
    };
    out.push({ kind: 'create', rule });
    return out;
  }
}
