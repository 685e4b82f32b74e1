/**
 * Automatic mitigation on one worker: a ZoneMonitor per zone fed by every request (O(1)), a tick every second
 * that closes the second for each zone, publishes what the monitors decide to the shared KeyValueStore, and polls
 * the store for rules made elsewhere (other workers, other nodes, lifts by the operator). Enforcement reads only
 * local memory: `activeRules(zone)` never touches the store.
 *
 * A new rule is enforced locally at once, before it is stored; a store failure keeps it local and is reported
 * (`onError`), the next tick tries again.
 */
import type { Clock } from '../../lib/clock.ts';
import type { KeyValueStore } from '../../state/ports.ts';
import type { AutoMitigationOptions } from './options.ts';
import { DEFAULT_AUTO_MITIGATION } from './options.ts';
import { ZoneMonitor } from './zone-monitor.ts';
import type { Traits } from './traits.ts';
import { isActive } from './rule.ts';
import type { AutoRule } from './rule.ts';
import { extendRule, publishRule, readDir, readRules } from './store.ts';

export interface AutoMitigationDeps {
  readonly kv: KeyValueStore;
  readonly clock: Clock;
  readonly options?: AutoMitigationOptions;
  /** A store read or write failed (the rule stays local; counted by the caller). */
  readonly onError?: (err: unknown) => void;
  /** A rule was made on this worker (for the log). */
  readonly onRule?: (rule: AutoRule) => void;
}

const NONE: readonly AutoRule[] = Object.freeze([]);
/** A zone idle this long loses its monitor (and its baseline). */
const IDLE_MS = 3600_000;

interface Bucket { tokens: number; last: number }

export class AutoMitigation {
  readonly options: AutoMitigationOptions;
  readonly #kv: KeyValueStore;
  readonly #clock: Clock;
  readonly #onError: (err: unknown) => void;
  readonly #onRule: (rule: AutoRule) => void;
  readonly #monitors = new Map<string, ZoneMonitor>();
  /** Every rule known per zone (active, expired, lifted), as last read or made here. */
  readonly #rules = new Map<string, AutoRule[]>();
  /** Rules in force per zone: what enforcement reads. */
  readonly #active = new Map<string, readonly AutoRule[]>();
  readonly #versions = new Map<string, number>();
  readonly #buckets = new Map<string, Bucket>();
  /** What recent fingerprints stand for (bounded; for the rules' `segment.sample`). */
  readonly #fingerprints = new Map<string, string>();
  #ticking = false;

  constructor(d: AutoMitigationDeps) {
    this.options = d.options ?? DEFAULT_AUTO_MITIGATION;
    this.#kv = d.kv;
    this.#clock = d.clock;
    this.#onError = d.onError ?? (() => {});
    this.#onRule = d.onRule ?? (() => {});
  }

  /**
   * Count one request of `zoneId` (the settings are remembered for the tick); `mitigated`: an automatic rule
   * challenged or refused it.
   */
  observe(zoneId: string, securityLevel: string, mode: 'on' | 'log', t: Traits, mitigated = false): void {
    let m = this.#monitors.get(zoneId);
    if (m === undefined) { m = new ZoneMonitor(zoneId, this.options); this.#monitors.set(zoneId, m); }
    m.securityLevel = securityLevel;
    m.mode = mode;
    m.observe(t, mitigated);
  }

  /** A request of `zoneId` matched automatic rule `ruleId` (whether enforced or only logged). */
  hit(zoneId: string, ruleId: string): void {
    this.#monitors.get(zoneId)?.hit(ruleId);
  }

  /** Has this fingerprint's description been noted? (the phase describes a fingerprint only when new) */
  knowsFingerprint(fp: string): boolean { return this.#fingerprints.has(fp); }

  noteFingerprint(fp: string, description: string): void {
    if (this.#fingerprints.size >= 4096) this.#fingerprints.clear();
    this.#fingerprints.set(fp, description);
  }

  /** Count one origin exchange of a zone already observed (latency ms; error: 5xx, refused, timeout). */
  observeOrigin(zoneId: string, ms: number, error: boolean): void {
    this.#monitors.get(zoneId)?.observeOrigin(ms, error);
  }

  /** Rules in force for the zone (an expired one may linger until the next tick: check `expiresAt`). */
  activeRules(zoneId: string): readonly AutoRule[] {
    return this.#active.get(zoneId) ?? NONE;
  }

  /** Token bucket of a `ratelimit` rule on this worker: true when the request may pass. */
  allow(rule: AutoRule, now: number): boolean {
    const rps = rule.rps ?? this.options.minRps;
    let b = this.#buckets.get(rule.id);
    if (b === undefined) { b = { tokens: rps, last: now }; this.#buckets.set(rule.id, b); }
    b.tokens = Math.min(rps, b.tokens + ((now - b.last) / 1000) * rps);
    b.last = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  monitor(zoneId: string): ZoneMonitor | undefined { return this.#monitors.get(zoneId); }

  /** Every rule this worker knows for the zone (active and recent). */
  knownRules(zoneId: string): readonly AutoRule[] { return this.#rules.get(zoneId) ?? NONE; }

  /**
   * Close the second for every zone, publish decisions, then sync with the store. Call every second (a tick still
   * running when the next is due is skipped).
   */
  async tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      const now = this.#clock.now();
      const writes: Promise<void>[] = [];
      for (const [zoneId, m] of this.#monitors) {
        const decisions = m.tick(now, { securityLevel: m.securityLevel, mode: m.mode, rules: this.knownRules(zoneId) });
        if (decisions.length === 0) {
          if (now - m.lastSeen > IDLE_MS) this.#monitors.delete(zoneId);
          continue;
        }
        for (const d of decisions) {
          if (d.kind === 'create') {
            const seg = d.rule.segment;
            const sample = seg?.dim === 'fingerprint' ? this.#fingerprints.get(seg.key) : undefined;
            const rule = seg !== null && sample !== undefined ? { ...d.rule, segment: { ...seg, sample } } : d.rule;
            this.#setLocal(zoneId, [...this.knownRules(zoneId), rule], now);
            this.#onRule(rule);
            writes.push(publishRule(this.#kv, rule, now).then((rules) => this.#setLocal(zoneId, rules, now), this.#onError));
          } else {
            this.#setLocal(zoneId, this.knownRules(zoneId).map((r) => (r.id === d.ruleId && r.expiresAt < d.expiresAt ? { ...r, expiresAt: d.expiresAt } : r)), now);
            writes.push(extendRule(this.#kv, zoneId, d.ruleId, d.expiresAt, now).then((rules) => this.#setLocal(zoneId, rules, now), this.#onError));
          }
        }
      }
      await Promise.all(writes);
      await this.sync(now);
    } finally {
      this.#ticking = false;
    }
  }

  /** Read the directory and the indexes of zones whose version moved; drop expired rules from enforcement. */
  async sync(now = this.#clock.now()): Promise<void> {
    try {
      const dir = await readDir(this.#kv);
      for (const [zoneId, v] of Object.entries(dir)) {
        if (this.#versions.get(zoneId) === v) continue;
        const rules = await readRules(this.#kv, zoneId);
        this.#versions.set(zoneId, v);
        this.#setLocal(zoneId, rules, now);
      }
      for (const zoneId of [...this.#rules.keys()]) {
        if (dir[zoneId] === undefined && this.#versions.has(zoneId)) { this.#versions.delete(zoneId); this.#setLocal(zoneId, [], now); }
      }
    } catch (e) { this.#onError(e); }
    for (const [zoneId, rules] of this.#rules) this.#setLocal(zoneId, rules, now);
    for (const id of this.#buckets.keys()) {
      let live = false;
      for (const l of this.#active.values()) if (l.some((r) => r.id === id)) { live = true; break; }
      if (!live) this.#buckets.delete(id);
    }
  }

  #setLocal(zoneId: string, rules: readonly AutoRule[], now: number): void {
    if (rules.length === 0) { this.#rules.delete(zoneId); this.#active.delete(zoneId); }
    else this.#rules.set(zoneId, [...rules]);
    const active = rules.filter((r) => isActive(r, now));
    if (active.length === 0) this.#active.delete(zoneId); else this.#active.set(zoneId, active);
  }
}
