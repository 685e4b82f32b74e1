/**
 * Zone activation: a zone added through the API is `pending` until the registry delegates it to our nameservers.
 * The check asks a configurable server (RAMPART_ACTIVATION_RESOLVER=host:port: the parent zone's authoritative
 * server, or a recursive resolver; default the system's first resolver) for the zone's NS records over UDP (TCP when
 * truncated) and reads them from the answer, or from the authority section of a referral (what a parent's server
 * gives). Every one of the delegated names must be ours → `active`; an active zone whose delegation no longer points
 * at us is flagged `moved` (never deleted); it turns active again when the delegation returns. Pending zones are
 * checked every `pendingMs`, active and moved ones every `activeMs`; `PUT /zones/:id/activation_check` checks now.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { getServers } from 'node:dns';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { Zone } from '../../config/schema.ts';
import type { ZoneService } from './zones.ts';

export interface DnsServerAddress { readonly host: string; readonly port: number }

export function parseResolver(v: string | undefined): DnsServerAddress | undefined {
  if (v === undefined || v === '') {
    const first = getServers()[0];
    if (first === undefined) return undefined;
    const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(first);
    return m ? { host: m[1]!, port: Number(m[2] ?? 53) } : undefined;
  }
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(v.trim());
  if (!m) throw new Error(`RAMPART_ACTIVATION_RESOLVER: "${v}" is not host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}

const lower = (n: string): string => n.toLowerCase().replace(/\.$/, '');

/** The nameservers a server names for `zone` (answer, or a referral's authority section). Rejects on no answer. */
export async function queryDelegation(zone: string, server: DnsServerAddress, timeoutMs = 2000): Promise<string[]> {
  const id = randomInt(0, 65536);
  const query = dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type: 'NS', name: zone, class: 'IN' }] });
  let resp = await udpQuery(query, server, timeoutMs);
  if (resp.id !== id) throw new Error('DNS answer with a different id');
  if ((resp.flags ?? 0) & 0x0200) resp = await tcpQuery(query, server, timeoutMs);
  const rcode = (resp.flags ?? 0) & 0x000f; // 0 NOERROR, 3 NXDOMAIN (not delegated yet: no NS records)
  if (rcode !== 0 && rcode !== 3) throw new Error(`DNS rcode ${rcode} for ${zone} NS from ${server.host}:${server.port}`);
  const want = lower(zone);
  const pick = (rs: readonly dnsPacket.Answer[] | undefined): string[] => (rs ?? [])
    .filter((a): a is dnsPacket.StringAnswer => a.type === 'NS' && lower(a.name) === want)
    .map((a) => lower(String(a.data)));
  const fromAnswer = pick(resp.answers);
  return (fromAnswer.length ? fromAnswer : pick(resp.authorities)).sort();
}

/** The answers of one type for `name` from a server (an empty list for NXDOMAIN/NODATA). */
export async function queryAnswers(name: string, type: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'CAA', server: DnsServerAddress, timeoutMs = 1500): Promise<dnsPacket.Answer[]> {
  const id = randomInt(0, 65536);
  const query = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] });
  let resp = await udpQuery(query, server, timeoutMs);
  if ((resp.flags ?? 0) & 0x0200) resp = await tcpQuery(query, server, timeoutMs);
  const want = lower(name);
  return (resp.answers ?? []).filter((a) => lower(a.name) === want && a.type === type);
}

/** The names a scan asks about when a zone is added (as Cloudflare's sign-up does), besides the apex. */
export const SCAN_NAMES = ['www', 'mail', 'webmail', 'smtp', 'imap', 'pop', 'ftp', 'api', 'app', 'blog', 'shop', 'store', 'm', 'cdn', 'static', 'dev', 'staging', 'admin', 'portal', 'vpn', 'remote', 'docs', 'status', 'ns1', 'ns2', 'autodiscover'];

/**
 * The records a zone has today at its current provider, found by asking `server` (a recursive resolver, or the
 * current provider's server) about the apex (A, AAAA, MX, TXT, CAA) and common names (A, AAAA, CNAME), as API
 * record bodies (names relative to the zone, unproxied: the owner picks what to proxy). Unanswered queries are
 * skipped; the whole scan is bounded by `timeoutMs` per query.
 */
export async function scanRecords(zone: string, server: DnsServerAddress, timeoutMs = 1500): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  const ask = async (rel: string, type: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'CAA'): Promise<void> => {
    const fqdn = rel === '@' ? zone : `${rel}.${zone}`;
    let answers: dnsPacket.Answer[];
    try { answers = await queryAnswers(fqdn, type, server, timeoutMs); } catch { return; }
    for (const a of answers) {
      const ttl = Math.max(60, Math.min(86_400, ('ttl' in a ? a.ttl : undefined) ?? 300));
      if (a.type === 'A' || a.type === 'AAAA' || a.type === 'CNAME') out.push({ type: a.type, name: rel, content: lower(String(a.data)), ttl });
      else if (a.type === 'MX') out.push({ type: 'MX', name: rel, content: lower(a.data.exchange), priority: a.data.preference, ttl });
      else if (a.type === 'TXT') out.push({ type: 'TXT', name: rel, content: (Array.isArray(a.data) ? a.data : [a.data]).map((x) => Buffer.isBuffer(x) ? x.toString('utf8') : String(x)).join(''), ttl });
      else if (a.type === 'CAA') out.push({ type: 'CAA', name: rel, ttl, data: { flags: a.data.flags ?? 0, tag: a.data.tag, value: a.data.value } });
    }
  };
  const jobs: Array<Promise<void>> = [ask('@', 'A'), ask('@', 'AAAA'), ask('@', 'MX'), ask('@', 'TXT'), ask('@', 'CAA')];
  for (const n of SCAN_NAMES) {
    // a name with a CNAME has nothing else
    jobs.push(ask(n, 'CNAME').then(async () => { if (!out.some((r) => r['name'] === n && r['type'] === 'CNAME')) await Promise.all([ask(n, 'A'), ask(n, 'AAAA')]); }));
  }
  await Promise.all(jobs);
  return out;
}

function udpQuery(query: Buffer, server: DnsServerAddress, timeoutMs: number): Promise<dnsPacket.Packet> {
  return new Promise((resolve, reject) => {
    const s = createSocket(server.host.includes(':') ? 'udp6' : 'udp4');
    const t = setTimeout(() => { s.close(); reject(new Error(`no DNS answer from ${server.host}:${server.port} within ${timeoutMs} ms`)); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(t); s.close(); try { resolve(dnsPacket.decode(m)); } catch (e) { reject(e as Error); } });
    s.on('error', (e) => { clearTimeout(t); s.close(); reject(e); });
    s.send(query, server.port, server.host);
  });
}

function tcpQuery(query: Buffer, server: DnsServerAddress, timeoutMs: number): Promise<dnsPacket.Packet> {
  return new Promise((resolve, reject) => {
    const c = connect(server.port, server.host);
    const t = setTimeout(() => { c.destroy(); reject(new Error('DNS over TCP timed out')); }, timeoutMs);
    let buf = Buffer.alloc(0);
    c.on('connect', () => { const len = Buffer.alloc(2); len.writeUInt16BE(query.length); c.write(Buffer.concat([len, query])); });
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        clearTimeout(t); c.destroy();
        try { resolve(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)))); } catch (e) { reject(e as Error); }
      }
    });
    c.on('error', (e) => { clearTimeout(t); reject(e); });
  });
}

export interface ActivationOptions {
  readonly zones: ZoneService;
  /** Our nameservers (RAMPART_NAMESERVERS). */
  readonly nameservers: readonly string[];
  readonly resolver: DnsServerAddress | undefined;
  readonly now?: () => Date;
  readonly pendingMs?: number;
  readonly activeMs?: number;
  readonly onChange?: (zone: Zone, from: string, to: string) => void;
  readonly onError?: (zone: string, err: unknown) => void;
}

export type ActivationResult = { zone: string; status: 'pending' | 'active' | 'moved'; seen: string[]; changed: boolean; error?: string };

export class ActivationService {
  readonly #o: ActivationOptions;
  readonly #ours: Set<string>;
  #timer: NodeJS.Timeout | undefined;
  readonly #lastChecked = new Map<string, number>();

  constructor(o: ActivationOptions) {
    this.#o = o;
    this.#ours = new Set(o.nameservers.map(lower));
  }

  /** Check one zone now; stores a status change. */
  async check(ref: string): Promise<ActivationResult> {
    const z = await this.#o.zones.get(ref);
    const from = z.activation?.status ?? 'active';
    if (this.#o.resolver === undefined) return { zone: z.name, status: from, seen: z.activation?.seen ?? [], changed: false, error: 'no resolver to check the delegation with (RAMPART_ACTIVATION_RESOLVER)' };
    let seen: string[];
    try {
      seen = await queryDelegation(z.name, this.#o.resolver);
    } catch (e) {
      this.#o.onError?.(z.name, e);
      return { zone: z.name, status: from, seen: z.activation?.seen ?? [], changed: false, error: (e as Error).message };
    }
    this.#lastChecked.set(z.id, Date.now());
    const delegated = seen.length > 0 && seen.every((n) => this.#ours.has(n));
    const to = delegated ? 'active' : from === 'pending' ? 'pending' : 'moved';
    const now = (this.#o.now?.() ?? new Date()).toISOString();
    const changed = to !== from || JSON.stringify(seen) !== JSON.stringify(z.activation?.seen ?? []);
    if (changed || z.activation === undefined) {
      // only a change is written (a check that finds the same delegation spends no config version)
      await this.#o.zones.save({ ...z, activation: { status: to, checked_on: now, seen } });
      if (to !== from) this.#o.onChange?.(z, from, to);
    }
    return { zone: z.name, status: to, seen, changed: to !== from };
  }

  /** Check the zones that are due. */
  async sweep(): Promise<void> {
    const now = Date.now();
    for (const z of await this.#o.zones.list()) {
      if (z.activation === undefined) continue; // file zones and zones made before onboarding: not checked
      const every = z.activation.status === 'pending' ? (this.#o.pendingMs ?? 60_000) : (this.#o.activeMs ?? 3_600_000);
      if (now - (this.#lastChecked.get(z.id) ?? 0) < every) continue;
      await this.check(z.id).catch((e: unknown) => this.#o.onError?.(z.name, e));
    }
  }

  start(tickMs = 5000): void {
    this.#timer = setInterval(() => { void this.sweep(); }, tickMs);
    this.#timer.unref();
    void this.sweep();
  }

  close(): void { clearInterval(this.#timer); }
}
