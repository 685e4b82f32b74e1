/**
 * Webhook events for automatic mitigation: the control plane reads the automatic rules the edges publish in the
 * shared key-value store (src/mitigation/auto/store.ts) every `intervalMs` and reports what changed since the last
 * look: `attack.detected` (a zone's first active rule after a quiet spell), `mitigation.applied` (each new rule),
 * `mitigation.expired` (a rule that ended, by expiry or lifted through the API). The rules already in force when the
 * control plane starts are taken as known (no replay). In a fleet, every control plane reports (deduplicate on the
 * rule id in the payload).
 */
import type { KeyValueStore } from '../../state/ports.ts';
import { isActive, readDir, readRules, segmentLabel } from '../../mitigation/auto/index.ts';
import type { AutoRule } from '../../mitigation/auto/index.ts';
import type { WebhookEvent } from './webhooks.ts';

export interface MitigationEventsOptions {
  readonly kv: KeyValueStore;
  readonly emit: (event: WebhookEvent, data: Record<string, unknown>, zone: string | null) => void;
  readonly zoneName: (zoneId: string) => string;
  readonly now?: () => number;
  readonly intervalMs?: number;
  readonly onError?: (e: unknown) => void;
}

const payload = (r: AutoRule): Record<string, unknown> => ({
  rule: r.id, signal: r.signal, signal_detail: r.signalDetail, segment: segmentLabel(r.segment), action: r.action, mode: r.mode,
  reason: r.reason, created_on: new Date(r.createdAt).toISOString(), expires_on: new Date(r.expiresAt).toISOString(),
  ...(r.liftedAt !== undefined ? { lifted_on: new Date(r.liftedAt).toISOString() } : {}),
});

export class MitigationEvents {
  readonly #o: MitigationEventsOptions;
  /** Active rule ids per zone at the last look; undefined before the first. */
  #active: Map<string, Map<string, AutoRule>> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(o: MitigationEventsOptions) { this.#o = o; }

  /** One look: compare the active rules with the last look and report the differences. */
  async sweep(): Promise<void> {
    const now = (this.#o.now ?? Date.now)();
    const next = new Map<string, Map<string, AutoRule>>();
    const all = new Map<string, AutoRule[]>();
    for (const zoneId of Object.keys(await readDir(this.#o.kv))) {
      const rules = await readRules(this.#o.kv, zoneId);
      all.set(zoneId, rules);
      next.set(zoneId, new Map(rules.filter((r) => isActive(r, now)).map((r) => [r.id, r])));
    }
    const before = this.#active;
    this.#active = next;
    if (before === undefined) return; // the first look only learns what is in force already
    for (const [zoneId, act] of next) {
      const prev = before.get(zoneId) ?? new Map<string, AutoRule>();
      const zone = this.#o.zoneName(zoneId);
      const fresh = [...act.values()].filter((r) => !prev.has(r.id));
      if (fresh.length && prev.size === 0) this.#o.emit('attack.detected', { rules: fresh.map((r) => r.id), signal: fresh[0]!.signalDetail }, zone);
      for (const r of fresh) this.#o.emit('mitigation.applied', payload(r), zone);
    }
    for (const [zoneId, prev] of before) {
      const act = next.get(zoneId) ?? new Map<string, AutoRule>();
      for (const [id, r] of prev) {
        if (act.has(id)) continue;
        const latest = (all.get(zoneId) ?? []).find((x) => x.id === id) ?? r;
        this.#o.emit('mitigation.expired', { ...payload(latest), ended: latest.liftedAt !== undefined ? 'lifted' : 'expired' }, this.#o.zoneName(zoneId));
      }
    }
  }

  start(): void {
    const tick = (): void => { this.sweep().catch((e: unknown) => this.#o.onError?.(e)); };
    this.#timer = setInterval(tick, this.#o.intervalMs ?? 2000);
    this.#timer.unref();
    tick();
  }

  close(): void { clearInterval(this.#timer); }
}
