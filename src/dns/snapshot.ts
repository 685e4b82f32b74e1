/**
 * The immutable, precompiled data the DNS server answers from. Built once per change by `buildDnsSnapshot`, then
 * swapped atomically (the server reads it through `getSnapshot()` on each query).
 *
 * Proxied names are compiled here: their A/AAAA/CNAME records are replaced by the edge's addresses, so the origin
 * never reaches the answering code.
 */
import type { Answer } from 'dns-packet';
import { canonicalName, isInZone, parentName, resolveOwner } from './names.ts';
import { dnsZoneSchema } from './schemas.ts';
import type { DnsRecord, DnsZone, DnsZoneInput } from './schemas.ts';

export interface RRset {
  readonly type: string;
  readonly ttl: number;
  /** Resource records with the canonical owner name; the answering code renames them to the query's spelling. */
  readonly rrs: readonly Answer[];
}

export interface ZoneNode {
  readonly name: string;
  readonly rrsets: ReadonlyMap<string, RRset>;
  /** True when the node's address records are the edge's (a proxied record). */
  readonly proxied: boolean;
}

export interface CompiledZone {
  readonly name: string;
  readonly serial: number;
  readonly soa: RRset;
  /** TTL of negative answers: min(SOA TTL, SOA minimum) (RFC 2308). */
  readonly negativeTtl: number;
  readonly nodes: ReadonlyMap<string, ZoneNode>;
  /** Every name that exists: nodes and the empty non-terminals above them. */
  readonly existing: ReadonlySet<string>;
  /** Delegation points (names below the apex that own NS records). */
  readonly cuts: ReadonlySet<string>;
  /** The zone as given (for AXFR and export). */
  readonly source: DnsZone;
}

export interface DnsSnapshotOptions {
  edgeIPv4: string[];
  edgeIPv6: string[];
  /** TTL of proxied answers (default 300). */
  proxiedTtl?: number;
  /** Largest UDP response the server sends to EDNS clients (default 1232, DNS flag day 2020). */
  maxUdpPayload?: number;
}

export interface DnsSnapshot {
  readonly zones: ReadonlyMap<string, CompiledZone>;
  readonly edgeIPv4: readonly string[];
  readonly edgeIPv6: readonly string[];
  readonly proxiedTtl: number;
  readonly maxUdpPayload: number;
}

/** A zone that cannot be served as given; `problems` lists each reason. */
export class DnsZoneError extends Error {
  readonly code = 'dns.invalid_zone';
  readonly problems: string[];
  constructor(zone: string, problems: string[]) {
    super(`zone ${zone}: ${problems.join('; ')}`);
    this.name = 'DnsZoneError';
    this.problems = problems;
  }
}

const ADDRESS_TYPES = new Set(['A', 'AAAA', 'CNAME']);

/** Problems that would make a zone unservable (empty when fine). The API calls it before accepting a change. */
export function checkZone(input: DnsZoneInput): string[] {
  const parsed = dnsZoneSchema.safeParse(input);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const zone = parsed.data;
  const z = canonicalName(zone.name);
  const problems: string[] = [];
  const byName = new Map<string, DnsRecord[]>();
  for (const r of zone.records) {
    const owner = resolveOwner(r.name, z);
    if (!isInZone(owner, z)) {
      problems.push(`record ${r.id}: name ${r.name} is outside zone ${z}`);
      continue;
    }
    if (r.type === 'SOA' && owner !== z) problems.push(`record ${r.id}: SOA only at the zone apex`);
    const list = byName.get(owner) ?? [];
    list.push(r);
    byName.set(owner, list);
  }
  for (const [owner, list] of byName) {
    const addr = list.filter((r) => ADDRESS_TYPES.has(r.type));
    const proxied = addr.filter((r) => r.proxied);
    if (proxied.length > 0 && proxied.length !== addr.length) {
      problems.push(`${owner}: proxied and unproxied A/AAAA/CNAME records at the same name`);
    }
    const cnames = list.filter((r) => r.type === 'CNAME');
    if (cnames.length > 1) problems.push(`${owner}: more than one CNAME`);
    if (cnames.length > 0 && proxied.length === 0 && owner !== z) {
      const others = list.filter((r) => r.type !== 'CNAME');
      if (others.length > 0) problems.push(`${owner}: CNAME together with other records (${others.map((r) => r.type).join(', ')})`);
    }
    if (cnames.length > 0 && addr.some((r) => r.type !== 'CNAME') && proxied.length === 0) {
      problems.push(`${owner}: CNAME together with A/AAAA records`);
    }
  }
  return [...new Set(problems)];
}

function splitTxt(s: string): Buffer[] {
  const b = Buffer.from(s, 'utf8');
  if (b.length === 0) return [b];
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += 255) out.push(b.subarray(i, i + 255));
  return out;
}

/** The dns-packet resource record for one of our records (owner given canonical). */
export function recordToAnswer(r: DnsRecord, owner: string): Answer {
  const ttl = r.ttl;
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return { type: r.type, name: owner, ttl, class: 'IN', data: r.content };
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { type: r.type, name: owner, ttl, class: 'IN', data: canonicalName(r.content) };
    case 'MX':
      return { type: 'MX', name: owner, ttl, class: 'IN', data: { preference: r.priority, exchange: canonicalName(r.content) } };
    case 'TXT':
      return { type: 'TXT', name: owner, ttl, class: 'IN', data: splitTxt(r.content) };
    case 'SRV':
      return {
        type: 'SRV', name: owner, ttl, class: 'IN',
        data: { priority: r.data.priority, weight: r.data.weight, port: r.data.port, target: canonicalName(r.data.target) },
      };
    case 'CAA':
      return {
        type: 'CAA', name: owner, ttl, class: 'IN',
        // dns-packet's type lists three tags; the encoder writes any string.
        data: { flags: r.data.flags, tag: r.data.tag as 'issue', value: r.data.value },
      };
    case 'SOA':
      return {
        type: 'SOA', name: owner, ttl, class: 'IN',
        data: { ...r.data, mname: canonicalName(r.data.mname), rname: canonicalName(r.data.rname), serial: r.data.serial ?? 0 },
      };
  }
}

function rrKey(a: Answer): string {
  return JSON.stringify('data' in a ? a.data : null);
}

class NodeBuilder {
  readonly name: string;
  proxied = false;
  readonly sets = new Map<string, Answer[]>();
  constructor(name: string) { this.name = name; }
  add(a: Answer): void {
    const list = this.sets.get(a.type) ?? [];
    const k = rrKey(a);
    if (!list.some((x) => rrKey(x) === k)) list.push(a);
    this.sets.set(a.type, list);
  }
  build(): ZoneNode {
    const rrsets = new Map<string, RRset>();
    for (const [type, rrs] of this.sets) {
      if (rrs.length === 0) continue;
      const ttl = Math.min(...rrs.map((r) => ('ttl' in r && r.ttl !== undefined ? r.ttl : 0)));
      rrsets.set(type, { type, ttl, rrs: rrs.map((r) => ({ ...r, ttl }) as Answer) });
    }
    return { name: this.name, rrsets, proxied: this.proxied };
  }
}

function compileZone(zone: DnsZone, opts: Required<DnsSnapshotOptions>): CompiledZone {
  const z = canonicalName(zone.name);
  const problems = checkZone(zone);
  if (problems.length > 0) throw new DnsZoneError(z, problems);
  const nodes = new Map<string, NodeBuilder>();
  const node = (n: string): NodeBuilder => {
    let b = nodes.get(n);
    if (!b) { b = new NodeBuilder(n); nodes.set(n, b); }
    return b;
  };

  // SOA: zone settings win; else an SOA record from the records (zone-file import); else defaults.
  const soaRecord = zone.records.find((r) => r.type === 'SOA');
  const s = zone.soa;
  const fromRecord = soaRecord?.type === 'SOA' ? soaRecord.data : undefined;
  const soaTtl = s?.ttl ?? soaRecord?.ttl ?? 3600;
  const soaData = {
    mname: canonicalName(s?.mname ?? fromRecord?.mname ?? zone.nameservers[0] ?? `ns1.${z}`),
    rname: canonicalName(s?.rname ?? fromRecord?.rname ?? `hostmaster.${z}`),
    serial: zone.serial,
    refresh: s?.refresh ?? fromRecord?.refresh ?? 10000,
    retry: s?.retry ?? fromRecord?.retry ?? 2400,
    expire: s?.expire ?? fromRecord?.expire ?? 604800,
    minimum: s?.minimum ?? fromRecord?.minimum ?? 300,
  };
  const soaAnswer: Answer = { type: 'SOA', name: z, ttl: soaTtl, class: 'IN', data: soaData };
  node(z).add(soaAnswer);

  const useOwnNs = zone.nameservers.length > 0;
  if (useOwnNs) for (const ns of zone.nameservers) node(z).add({ type: 'NS', name: z, ttl: soaTtl, class: 'IN', data: canonicalName(ns) });

  for (const r of zone.records) {
    const owner = resolveOwner(r.name, z);
    if (r.type === 'SOA') continue;
    if (r.type === 'NS' && owner === z && useOwnNs) continue;
    const b = node(owner);
    if (r.proxied && ADDRESS_TYPES.has(r.type)) {
      b.proxied = true;
      continue;
    }
    b.add(recordToAnswer(r, owner));
  }
  for (const b of nodes.values()) {
    if (!b.proxied) continue;
    b.sets.delete('A');
    b.sets.delete('AAAA');
    b.sets.delete('CNAME');
    for (const ip of opts.edgeIPv4) b.add({ type: 'A', name: b.name, ttl: opts.proxiedTtl, class: 'IN', data: ip });
    for (const ip of opts.edgeIPv6) b.add({ type: 'AAAA', name: b.name, ttl: opts.proxiedTtl, class: 'IN', data: ip });
  }

  const built = new Map<string, ZoneNode>();
  const existing = new Set<string>();
  const cuts = new Set<string>();
  for (const [name, b] of nodes) {
    const n = b.build();
    built.set(name, n);
    if (name !== z && n.rrsets.has('NS')) cuts.add(name);
    for (let p = name; ; p = parentName(p)) {
      if (existing.has(p)) break;
      existing.add(p);
      if (p === z || p === '') break;
    }
  }
  const soaSet = built.get(z)?.rrsets.get('SOA');
  if (!soaSet) throw new DnsZoneError(z, ['no SOA']);
  return {
    name: z,
    serial: zone.serial,
    soa: soaSet,
    negativeTtl: Math.min(soaSet.ttl, soaData.minimum),
    nodes: built,
    existing,
    cuts,
    source: zone,
  };
}

/** Compile zones into an immutable snapshot. Throws DnsZoneError (with every problem) on an invalid zone. */
export function buildDnsSnapshot(zones: DnsZoneInput[], opts: DnsSnapshotOptions): DnsSnapshot {
  const full: Required<DnsSnapshotOptions> = {
    edgeIPv4: [...opts.edgeIPv4],
    edgeIPv6: [...opts.edgeIPv6],
    proxiedTtl: opts.proxiedTtl ?? 300,
    maxUdpPayload: Math.max(512, Math.min(65535, opts.maxUdpPayload ?? 1232)),
  };
  const compiled = new Map<string, CompiledZone>();
  for (const input of zones) {
    const parsed = dnsZoneSchema.safeParse(input);
    const name = canonicalName(String(input.name));
    if (!parsed.success) throw new DnsZoneError(name, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    if (compiled.has(name)) throw new DnsZoneError(name, ['zone listed twice']);
    compiled.set(name, compileZone(parsed.data, full));
  }
  return { zones: compiled, ...full };
}

/** The zone responsible for a canonical name: the longest zone name that is a suffix of it. */
export function findZone(snapshot: DnsSnapshot, name: string): CompiledZone | undefined {
  for (let n = name; ; n = parentName(n)) {
    const z = snapshot.zones.get(n);
    if (z) return z;
    if (n === '') return undefined;
  }
}

/** Hostnames whose proxied records make them origins of the edge: { hostname, origins: [content...] } per name. */
export function proxiedHosts(zoneInput: DnsZoneInput): Array<{ hostname: string; origins: Array<{ type: 'A' | 'AAAA' | 'CNAME'; content: string }> }> {
  const zone = dnsZoneSchema.parse(zoneInput);
  const z = canonicalName(zone.name);
  const out = new Map<string, Array<{ type: 'A' | 'AAAA' | 'CNAME'; content: string }>>();
  for (const r of zone.records) {
    if ((r.type === 'A' || r.type === 'AAAA' || r.type === 'CNAME') && r.proxied) {
      const h = resolveOwner(r.name, z);
      const list = out.get(h) ?? [];
      list.push({ type: r.type, content: r.type === 'CNAME' ? canonicalName(r.content) : r.content });
      out.set(h, list);
    }
  }
  return [...out].map(([hostname, origins]) => ({ hostname, origins }));
}
