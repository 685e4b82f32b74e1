/**
 * Active health checks: every (zone, origin) with checks enabled is probed at its interval with a GET of the
 * configured path; `unhealthy_threshold` consecutive failures mark it down, `healthy_threshold` successes up.
 * Results are reported through a callback, so the checker can run in the primary and feed every worker.
 */
import { request } from 'undici';
import type { CompiledZone } from '../../config/snapshot.ts';

export interface HealthReport { zoneId: string; originKey: string; up: boolean; detail: string }

interface Target {
  zone: CompiledZone;
  originKey: string;
  url: string;
  timer: NodeJS.Timeout | undefined;
  ok: number;
  fail: number;
  up: boolean;
  sig: string;
}

function statusMatches(expected: number | string, status: number): boolean {
  if (typeof expected === 'number') return status === expected;
  return String(status)[0] === expected[0];
}

export class HealthChecker {
  readonly #targets = new Map<string, Target>();
  readonly #onChange: (r: HealthReport) => void;
  #closed = false;

  constructor(onChange: (r: HealthReport) => void) {
    this.#onChange = onChange;
  }

  /** Reconcile the targets with the zones of a new snapshot. */
  update(zones: Iterable<CompiledZone>): void {
    const seen = new Set<string>();
    for (const z of zones) {
      const hc = z.pool.health;
      if (!hc.enabled || z.pool.origins.length === 0) continue;
      for (const o of z.pool.origins) {
        const k = z.id + '|' + o.key;
        const sig = JSON.stringify([hc, o.url, z.pool.hostHeader ?? z.name]);
        seen.add(k);
        const t = this.#targets.get(k);
        if (t && t.sig === sig) { t.zone = z; continue; }
        if (t?.timer) clearTimeout(t.timer);
        const nt: Target = { zone: z, originKey: o.key, url: o.url + hc.path, timer: undefined, ok: 0, fail: 0, up: t?.up ?? true, sig };
        this.#targets.set(k, nt);
        this.#schedule(nt, Math.random() * Math.min(1000, hc.interval * 1000));
      }
    }
    for (const [k, t] of this.#targets) if (!seen.has(k)) { if (t.timer) clearTimeout(t.timer); this.#targets.delete(k); }
  }

  #schedule(t: Target, delayMs: number): void {
    if (this.#closed) return;
    t.timer = setTimeout(() => { void this.#probe(t); }, delayMs);
    t.timer.unref();
  }

  async #probe(t: Target): Promise<void> {
    const hc = t.zone.pool.health;
    let good = false; let detail = '';
    try {
      const r = await request(t.url, {
        method: 'GET',
        headers: { host: t.zone.pool.hostHeader ?? t.zone.name, 'user-agent': 'Rampart-HealthCheck/1', connection: 'close' },
        headersTimeout: hc.timeout * 1000, bodyTimeout: hc.timeout * 1000, signal: AbortSignal.timeout(hc.timeout * 1000),
      });
      await r.body.dump();
      good = statusMatches(hc.expected_status, r.statusCode);
      detail = `status ${r.statusCode}`;
    } catch (e) {
      detail = (e as { code?: string }).code ?? (e as Error).message;
    }
    if (this.#targets.get(t.zone.id + '|' + t.originKey) !== t) return; // replaced meanwhile
    if (good) { t.ok++; t.fail = 0; } else { t.fail++; t.ok = 0; }
    if (t.up && t.fail >= hc.unhealthy_threshold) { t.up = false; this.#onChange({ zoneId: t.zone.id, originKey: t.originKey, up: false, detail }); }
    else if (!t.up && t.ok >= hc.healthy_threshold) { t.up = true; this.#onChange({ zoneId: t.zone.id, originKey: t.originKey, up: true, detail }); }
    this.#schedule(t, hc.interval * 1000);
  }

  /** Current view, for the status API. */
  states(): HealthReport[] {
    return [...this.#targets.values()].map((t) => ({ zoneId: t.zone.id, originKey: t.originKey, up: t.up, detail: '' }));
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#targets.values()) if (t.timer) clearTimeout(t.timer);
    this.#targets.clear();
  }
}
