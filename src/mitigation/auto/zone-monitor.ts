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
  /** The last tick's signal on all traffic (undefined: normal), for metrics and tests. */
  lastSignal: Signal | undefined;
  /** Every request this second, mitigated or not. */
  #all = 0;
  /** Requests an automatic rule challenged or refused this second (not in the sketches). */
  #mitigated = 0;
  /** Requests each automatic rule matched this second (enforced or, in log mode, only recorded). */
  readonly #ruleHits = new Map<string, number>();
  #originCount = 0;
  #originErrors = 0;
  #originMsSum = 0;
  #originMsCount = 0;
  /** Heavy hitters of the requests no rule mitigated: what a new rule would be about. */
  readonly #sketches: Record<SegmentDim, SpaceSaving>;
  #run = 0;
  #runNew = 0;
  readonly #o: AutoMitigationOptions;

  constructor(zoneId: string, o: AutoMitigationOptions) {
    this.zoneId = zoneId;
    this.#o = o;
    this.baseline = new Baseline(o.warmupS, o.halfLifeS);
    const c = o.sketchCapacity;
    this.#sketches = { prefix: new SpaceSaving(c), ua: new SpaceSaving(c), fingerprint: new SpaceSaving(c), path: new SpaceSaving(c) };
  }

  /** Count a request; `mitigated`: an automatic rule challenged or refused it (it then stays out of the sketches). */
  observe(t: Traits, mitigated = false): void {
    this.#all++;
    if (mitigated) { this.#mitigated++; return; }
    const s = this.#sketches;
    s.prefix.add(t.prefix); s.ua.add(t.ua); s.fingerprint.add(t.fingerprint); s.path.add(t.path);
  }

  /** A request matched automatic rule `ruleId` (counted for the rule's extension). */
  hit(ruleId: string): void {
    this.#ruleHits.set(ruleId, (this.#ruleHits.get(ruleId) ?? 0) + 1);
  }

  observeOrigin(ms: number, error: boolean): void {
    this.#originCount++;
    if (error) this.#originErrors++;
    if (ms >= 0) { this.#originMsSum += ms; this.#originMsCount++; }
  }

  /** Close the current second. */
  tick(now: number, c: TickContext): MonitorDecision[] {
    const origin = { originCount: this.#originCount, originErrors: this.#originErrors, originMsSum: this.#originMsSum, originMsCount: this.#originMsCount, sketches: this.#sketches };
    const all: SecondSample = { total: this.#all, ...origin };
    const open: SecondSample = { total: this.#all - this.#mitigated, ...origin };
    if (this.#all > 0) this.lastSeen = now;
    const out = this.#decide(now, all, open, c);
    this.#all = 0; this.#mitigated = 0; this.#ruleHits.clear();
    this.#originCount = 0; this.#originErrors = 0; this.#originMsSum = 0; this.#originMsCount = 0;
    for (const k in this.#sketches) this.#sketches[k as SegmentDim].reset();
    return out;
  }

  /**
   * `all`: every request (keeps rules in force while the attack lasts); `open`: those no rule mitigated (a new
   * rule, or an escalation, is needed only while they are still anomalous: the rules in force did not restore it).
   */
  #decide(now: number, all: SecondSample, open: SecondSample, c: TickContext): MonitorDecision[] {
    const o = this.#o;
    const b = this.baseline;
    const sig = detect(all, b, o);
    this.lastSignal = sig;
    const active = c.rules.filter((r) => isActive(r, now));
    if (sig === undefined) {
      this.#run = 0; this.#runNew = 0;
      if (active.length === 0 || all.total <= 1.5 * b.rate) b.learn(open);
      return [];
    }
    const sigNew = open.total === all.total ? sig : detect(open, b, o);
    this.#runNew = sigNew === undefined ? 0 : this.#runNew + 1;
    if (++this.#run < o.confirmS) return [];
    const expiresAt = now + o.ttlS * 1000;
    const refreshBefore = expiresAt - Math.max(1000, o.ttlS * 200); // re-publish an extension at most every ttl/5
    const out: MonitorDecision[] = [];
    const surge = all.total - sig.expected;
    // rules in force whose segment still carries a good part of the surge: keep them
    for (const r of active) {
      const expected = r.segment === null ? 0 : sig.expected * b.share(r.segment.dim, r.segment.key);
      const still = (this.#ruleHits.get(r.id) ?? 0) - expected >= 0.2 * surge;
      if (still && r.expiresAt < refreshBefore) out.push({ kind: 'extend', ruleId: r.id, expiresAt });
    }
    if (sigNew === undefined || this.#runNew < o.confirmS) return out;
    const cand = findSegment(open, b, sigNew);
    const segment: AutoSegment | null = cand === undefined ? null : { dim: cand.dim, key: cand.key, share: Math.min(1, Math.round(cand.explained * 1000) / 1000) };
    if (segment !== null && active.some((r) => sameSegment(r.segment, segment))) return out;
    if (segment === null && sigNew.kind === 'cold_start') return out; // cold start acts only on one dominant segment
    // no segment: raise the level one step; once raised, one more step only after escalateS without relief
    let level = c.securityLevel;
    if (segment === null) {
      const raised = active.filter((r) => r.segment === null);
      if (raised.some((r) => r.level === 'under_attack' || now - r.createdAt < o.escalateS * 1000)) return out;
      if (raised.length > 0) level = 'high';
    }
    if (active.length >= o.maxRules) return out;
    if (c.rules.some((r) => r.liftedAt !== undefined && r.liftedAt > now - o.suppressS * 1000 && sameSegment(r.segment, segment))) return out;
    const act = chooseAction(cand, level, o);
    if (act === undefined) return out;
    const extra = { ...(act.rps !== undefined ? { rps: act.rps } : {}), ...(act.level !== undefined ? { level: act.level } : {}) };
    const rule: AutoRule = {
      id: ruleId(this.zoneId, segment, now), zoneId: this.zoneId, signal: sigNew.kind, signalDetail: sigNew.detail, segment,
      action: act.action, ...extra, reason: describeRule(sigNew.detail, segment, act.action, extra), mode: c.mode,
      createdAt: now, expiresAt,
    };
    out.push({ kind: 'create', rule });
    return out;
  }
}
