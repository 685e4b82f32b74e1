/**
 * Upstream connection pools (undici, keep-alive) shared by every zone that uses the same origin, plus the
 * origin health state (active checks report into it; proxied requests report passive failures) and the
 * choice of origin: smooth weighted round robin over the healthy ones.
 */
import { Pool } from 'undici';
import type { CompiledOrigin, CompiledPool, CompiledZone } from '../../config/snapshot.ts';

export class UpstreamPools {
  readonly #pools = new Map<string, Pool>();

  get(origin: CompiledOrigin, connectTimeoutMs: number): Pool {
    const k = origin.url + '|' + connectTimeoutMs;
    let p = this.#pools.get(k);
    if (p === undefined) {
      p = new Pool(origin.url, {
        connections: 256,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        connect: { timeout: connectTimeoutMs, ...(origin.tls ? { rejectUnauthorized: false, servername: origin.host } : {}) },
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.#pools.set(k, p);
    }
    return p;
  }

  /** Close pools that no origin of the current snapshot uses any more. */
  prune(zones: Iterable<CompiledZone>): void {
    const keep = new Set<string>();
    for (const z of zones) for (const o of z.pool.origins) keep.add(o.url + '|' + z.pool.connectTimeoutMs);
    for (const [k, p] of this.#pools) if (!keep.has(k)) { this.#pools.delete(k); void p.close().catch(() => {}); }
  }

  async close(): Promise<void> {
    const all = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(all.map((p) => p.destroy().catch(() => {})));
  }
}

interface OriginHealth {
  activeUp: boolean;
  passiveFailures: number;
  passiveDownUntil: number;
  current: number; // smooth WRR state
}

/** Health of each (zone, origin). Unknown origins are healthy until shown otherwise. */
export class HealthState {
  readonly #m = new Map<string, OriginHealth>();
  readonly #now: () => number;
  /** How long an origin marked down by passive failures is skipped before it is tried again. */
  readonly passiveCooldownMs: number;

  constructor(now: () => number = Date.now, passiveCooldownMs = 10_000) {
    this.#now = now;
    this.passiveCooldownMs = passiveCooldownMs;
  }

  #get(zoneId: string, key: string): OriginHealth {
    const k = zoneId + '|' + key;
    let h = this.#m.get(k);
    if (h === undefined) { h = { activeUp: true, passiveFailures: 0, passiveDownUntil: 0, current: 0 }; this.#m.set(k, h); }
    return h;
  }

  isHealthy(zoneId: string, key: string): boolean {
    const h = this.#m.get(zoneId + '|' + key);
    return h === undefined || (h.activeUp && h.passiveDownUntil <= this.#now());
  }

  setActive(zoneId: string, key: string, up: boolean): void {
    const h = this.#get(zoneId, key);
    h.activeUp = up;
    if (up) { h.passiveFailures = 0; h.passiveDownUntil = 0; }
  }

  reportPassive(zoneId: string, key: string, ok: boolean, threshold: number): void {
    const h = this.#get(zoneId, key);
    if (ok) { h.passiveFailures = 0; return; }
    h.passiveFailures++;
    if (h.passiveFailures >= threshold) { h.passiveDownUntil = this.#now() + this.passiveCooldownMs; h.passiveFailures = 0; }
  }

  /** Pick an origin by smooth weighted round robin among healthy ones not in `tried`; if none is healthy, any untried one. */
  pick(zoneId: string, pool: CompiledPool, tried: ReadonlySet<string> | undefined): CompiledOrigin | undefined {
    const os = pool.origins;
    if (os.length === 1) {
      const o = os[0]!;
      return tried?.has(o.key) ? undefined : o;
    }
    let best: CompiledOrigin | undefined; let bestH: OriginHealth | undefined; let total = 0;
    for (const o of os) {
      if (tried?.has(o.key) || !this.isHealthy(zoneId, o.key)) continue;
      const h = this.#get(zoneId, o.key);
      h.current += o.weight; total += o.weight;
      if (bestH === undefined || h.current > bestH.current) { best = o; bestH = h; }
    }
    if (bestH !== undefined) { bestH.current -= total; return best; }
    for (const o of os) if (!tried?.has(o.key)) return o; // all down: try anyway (as nginx does) rather than refuse
    return undefined;
  }

  healthyCount(zoneId: string, pool: CompiledPool): number {
    let n = 0;
    for (const o of pool.origins) if (this.isHealthy(zoneId, o.key)) n++;
    return n;
  }

  /** Drop state of zones/origins no longer configured. */
  retain(zones: Iterable<CompiledZone>): void {
    const keep = new Set<string>();
    for (const z of zones) for (const o of z.pool.origins) keep.add(z.id + '|' + o.key);
    for (const k of this.#m.keys()) if (!keep.has(k)) this.#m.delete(k);
  }
}
