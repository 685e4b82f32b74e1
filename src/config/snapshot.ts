/**
 * The immutable, precompiled snapshot the data plane reads. Built once per config version from the stored
 * documents, then swapped atomically in every worker. Nothing here is recomputed per request.
 */
import { parseOriginAddress, ZoneSchema } from './schema.ts';
import type { Zone, ZoneSettings, HealthCheck } from './schema.ts';
import type { ConfigDoc } from '../state/ports.ts';

export interface CompiledOrigin {
  /** host:port as configured (the health/pool key). */
  readonly key: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly weight: number;
  /** undici origin URL, e.g. http://127.0.0.1:8000 */
  readonly url: string;
}

export interface CompiledPool {
  readonly origins: readonly CompiledOrigin[];
  readonly health: HealthCheck;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly hostHeader: string | undefined;
}

export interface CompiledZone {
  readonly id: string;
  readonly name: string;
  /** The name as a JSON string, for the access log. */
  readonly nameJson: string;
  readonly account: string;
  readonly zone: Zone;
  readonly settings: ZoneSettings;
  readonly pool: CompiledPool;
  /** Documents that belong to this zone, by kind (rules, records...), for the phases that compile them. */
  readonly owned: ReadonlyMap<string, readonly ConfigDoc[]>;
}

export interface EdgeSnapshot {
  readonly version: number;
  readonly zones: ReadonlyMap<string, CompiledZone>;
  /** Exact hostnames (zone names and non-wildcard aliases). */
  readonly exact: ReadonlyMap<string, CompiledZone>;
  /** Wildcard aliases by suffix: "*.shop.test" is stored as ".shop.test". */
  readonly wildcard: ReadonlyMap<string, CompiledZone>;
  /** PEM certificates by hostname (zone-provided or generated and stored). */
  readonly certs: ReadonlyMap<string, { readonly cert: string; readonly key: string }>;
  /** Global documents (no zone) by kind. */
  readonly global: ReadonlyMap<string, readonly ConfigDoc[]>;
  readonly builtMs: number;
}

export const EMPTY_SNAPSHOT: EdgeSnapshot = Object.freeze({
  version: 0, zones: new Map(), exact: new Map(), wildcard: new Map(), certs: new Map(), global: new Map(), builtMs: 0,
});

function compilePool(z: Zone): CompiledPool {
  const origins: CompiledOrigin[] = [];
  for (const o of z.pool.origins) {
    if (!o.enabled) continue;
    const a = parseOriginAddress(o.address);
    if (!a) continue; // validated at write time; a bad stored value is skipped, never crashes a worker
    const hostPart = a.host.includes(':') ? `[${a.host}]` : a.host;
    origins.push({ key: `${hostPart}:${a.port}`, host: a.host, port: a.port, tls: a.tls, weight: o.weight, url: `${a.tls ? 'https' : 'http'}://${hostPart}:${a.port}` });
  }
  return {
    origins, health: z.pool.health_check, connectTimeoutMs: z.pool.connect_timeout * 1000,
    responseTimeoutMs: z.pool.response_timeout * 1000, hostHeader: z.pool.host_header,
  };
}

/** Build a snapshot from stored documents. Zones that fail validation are skipped and reported. */
export function buildSnapshot(version: number, docs: readonly ConfigDoc[], onSkip?: (doc: ConfigDoc, why: string) => void): EdgeSnapshot {
  const t0 = performance.now();
  const zones = new Map<string, CompiledZone>();
  const exact = new Map<string, CompiledZone>();
  const wildcard = new Map<string, CompiledZone>();
  const certs = new Map<string, { cert: string; key: string }>();
  const owned = new Map<string, Map<string, ConfigDoc[]>>();
  const global = new Map<string, ConfigDoc[]>();
  const zoneDocs: ConfigDoc[] = [];
  for (const d of docs) {
    if (d.kind === 'zone') { zoneDocs.push(d); continue; }
    if (d.kind === 'cert') {
      const c = d.data as { cert?: unknown; key?: unknown };
      if (typeof c.cert === 'string' && typeof c.key === 'string') certs.set(d.id, { cert: c.cert, key: c.key });
      continue;
    }
    if (d.zoneId === null) {
      let l = global.get(d.kind); if (!l) global.set(d.kind, l = []); l.push(d);
      continue;
    }
    let byKind = owned.get(d.zoneId); if (!byKind) owned.set(d.zoneId, byKind = new Map());
    let l = byKind.get(d.kind); if (!l) byKind.set(d.kind, l = []); l.push(d);
  }
  for (const d of zoneDocs) {
    // Stored zones were validated on write; a cheap shape check keeps a hand-edited store from crashing workers.
    const z = d.data as Zone;
    if (typeof z?.name !== 'string' || typeof z.id !== 'string' || !z.pool || !z.settings) {
      const r = ZoneSchema.safeParse(d.data);
      if (!r.success) { onSkip?.(d, r.error.issues[0]?.message ?? 'invalid'); continue; }
    }
    const cz: CompiledZone = Object.freeze({
      id: z.id, name: z.name, nameJson: JSON.stringify(z.name), account: z.account, zone: z, settings: z.settings, pool: compilePool(z),
      owned: owned.get(z.id) ?? new Map(),
    });
    zones.set(z.id, cz);
    exact.set(z.name, cz);
    for (const a of z.aliases) {
      if (a.startsWith('*.')) wildcard.set(a.slice(1), cz); else exact.set(a, cz);
    }
    if (z.certificate) {
      certs.set(z.name, z.certificate);
      for (const a of z.aliases) certs.set(a, z.certificate);
    }
  }
  // hostnames of proxied DNS records (A/AAAA/CNAME, proxied: true) route to their zone unless a zone or alias claims them
  for (const cz of zones.values()) {
    for (const d of cz.owned.get('dns_record') ?? []) {
      const r = d.data as { type?: unknown; name?: unknown; proxied?: unknown };
      if (r.proxied !== true || typeof r.name !== 'string' || (r.type !== 'A' && r.type !== 'AAAA' && r.type !== 'CNAME')) continue;
      const n = r.name.toLowerCase();
      const host = n === '@' ? cz.name : n.endsWith('.') ? n.slice(0, -1) : n === cz.name || n.endsWith('.' + cz.name) ? n : n + '.' + cz.name;
      if (host.startsWith('*.')) { if (!wildcard.has(host.slice(1))) wildcard.set(host.slice(1), cz); }
      else if (!exact.has(host)) exact.set(host, cz);
    }
  }
  return Object.freeze({ version, zones, exact, wildcard, certs, global, builtMs: performance.now() - t0 });
}

/** Normalise a Host header or SNI name: lower-case, no port, no trailing dot. */
export function normaliseHost(raw: string | undefined): string {
  if (!raw) return '';
  let h = raw;
  if (h.charCodeAt(0) === 91 /* [ */) {
    const end = h.indexOf(']');
    return (end > 0 ? h.slice(0, end + 1) : h).toLowerCase();
  }
  const colon = h.indexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  if (h.endsWith('.')) h = h.slice(0, -1);
  // fast path: most hosts are already lower-case
  for (let i = 0; i < h.length; i++) { const c = h.charCodeAt(i); if (c >= 65 && c <= 90) return h.toLowerCase(); }
  return h;
}

/** Find the zone for a normalised host: exact name first, then the most specific wildcard. */
export function lookupZone(s: EdgeSnapshot, host: string): CompiledZone | undefined {
  const z = s.exact.get(host);
  if (z !== undefined || s.wildcard.size === 0) return z;
  let i = host.indexOf('.');
  while (i >= 0) {
    const w = s.wildcard.get(host.slice(i));
    if (w) return w;
    i = host.indexOf('.', i + 1);
  }
  return undefined;
}

/** The certificate for an SNI name: exact, then wildcard certificates (*.shop.test) stored by their wildcard name. */
export function lookupCert(s: EdgeSnapshot, host: string): { cert: string; key: string } | undefined {
  const c = s.certs.get(host);
  if (c) return c;
  let i = host.indexOf('.');
  while (i >= 0) {
    const w = s.certs.get('*' + host.slice(i));
    if (w) return w;
    i = host.indexOf('.', i + 1);
  }
  return undefined;
}
