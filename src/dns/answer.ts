/**
 * Answering one query from a snapshot: a pure function from the decoded query to the response packet.
 * RFC 1034 §4.3.2 lookup, RFC 2308 negative answers, RFC 4592 wildcards, RFC 8482 minimal ANY, RFC 6891 EDNS0.
 */
import type { Answer, OptAnswer, Packet, Question } from 'dns-packet';
import { canonicalName, isInZone, parentName } from './names.ts';
import { findZone } from './snapshot.ts';
import type { CompiledZone, DnsSnapshot, RRset, ZoneNode } from './snapshot.ts';
import { encodeMessage } from './wire.ts';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, NOTAUTH: 9, BADVERS: 16 } as const;

const FLAG_AA = 1 << 10;
const FLAG_TC = 1 << 9;
const FLAG_RD = 1 << 8;
const FLAG_CD = 1 << 4;
const OPCODE_MASK = 0xf << 11;
const DO_BIT = 1 << 15;
const MAX_CHAIN = 8;

export interface ClientInfo {
  address: string;
  transport: 'udp' | 'tcp';
}

/** The parts of a decoded query the answering code reads. */
export interface DnsQuery {
  id?: number | undefined;
  flags?: number | undefined;
  questions?: Question[] | undefined;
  additionals?: Answer[] | undefined;
}

interface Result {
  rcode: number;
  aa: boolean;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

const ANY_ORDER = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'PTR', 'NS', 'SOA'];

function rename(set: RRset, owner: string): Answer[] {
  return set.rrs.map((r) => ({ ...r, name: owner }) as Answer);
}

function negative(zone: CompiledZone, rcode: number, r: Result): Result {
  r.rcode = rcode;
  r.authorities.push(...zone.soa.rrs.map((s) => ({ ...s, ttl: zone.negativeTtl }) as Answer));
  return r;
}

/** The closest delegation point at or above `name` (below the apex), if any. */
function findCut(zone: CompiledZone, name: string): string | undefined {
  if (zone.cuts.size === 0) return undefined;
  let found: string | undefined;
  for (let n = name; n !== zone.name && n !== ''; n = parentName(n)) if (zone.cuts.has(n)) found = n;
  return found; // the highest cut wins: data below it is not ours
}

function addGlue(snapshot: DnsSnapshot, targets: string[], out: Answer[]): void {
  for (const t of targets) {
    const z = findZone(snapshot, t);
    const node = z?.nodes.get(t);
    if (!node) continue;
    for (const type of ['A', 'AAAA']) {
      const set = node.rrsets.get(type);
      if (set) out.push(...set.rrs);
    }
  }
}

function targetsOf(answers: readonly Answer[]): string[] {
  const out: string[] = [];
  for (const a of answers) {
    if (a.type === 'NS') out.push(canonicalName(a.data));
    else if (a.type === 'MX') out.push(canonicalName(a.data.exchange));
    else if (a.type === 'SRV') out.push(canonicalName(a.data.target));
  }
  return out.filter((t) => t !== '');
}

function lookup(snapshot: DnsSnapshot, zone: CompiledZone, qname: string, owner: string, qtype: string, r: Result, depth: number): Result {
  // DS lives on the parent side of a cut (RFC 4035 §3.1.4.1): look for cuts above the name only.
  const cut = findCut(zone, qtype === 'DS' && qname !== zone.name ? parentName(qname) : qname);
  if (cut !== undefined) {
    if (r.answers.length > 0) return r; // CNAME into a delegated name: give what we have
    const ns = zone.nodes.get(cut)?.rrsets.get('NS');
    r.aa = false;
    if (ns) {
      r.authorities.push(...ns.rrs);
      const glue = targetsOf(ns.rrs).filter((t) => isInZone(t, cut));
      addGlue(snapshot, glue, r.additionals);
    }
    return r;
  }
  let node: ZoneNode | undefined = zone.nodes.get(qname);
  if (!node) {
    if (zone.existing.has(qname)) return negative(zone, RCODE.NOERROR, r); // empty non-terminal
    // RFC 4592: closest encloser, then the source of synthesis '*.<closest encloser>'.
    let ce = parentName(qname);
    while (ce !== zone.name && !zone.existing.has(ce)) ce = parentName(ce);
    node = zone.nodes.get(`*.${ce}`);
    if (!node) return negative(zone, RCODE.NXDOMAIN, r);
  }
  const isApex = qname === zone.name;
  if (qtype === 'ANY') {
    for (const t of ANY_ORDER) {
      if (isApex && t === 'CNAME') continue;
      const set = node.rrsets.get(t);
      if (set) {
        r.answers.push(...rename(set, owner));
        return r;
      }
    }
    return negative(zone, RCODE.NOERROR, r);
  }
  const set = node.rrsets.get(qtype);
  if (set) {
    r.answers.push(...rename(set, owner));
    if (qtype === 'NS' || qtype === 'MX' || qtype === 'SRV') addGlue(snapshot, targetsOf(set.rrs), r.additionals);
    return r;
  }
  const cname = node.rrsets.get('CNAME');
  const cnameRr = cname?.rrs[0];
  if (cname && cnameRr && cnameRr.type === 'CNAME' && qtype !== 'CNAME') {
    const target = canonicalName(cnameRr.data);
    if (isApex) {
      // CNAME flattening at the apex: answer the target's addresses under the apex name.
      if (qtype !== 'A' && qtype !== 'AAAA') return negative(zone, RCODE.NOERROR, r);
      const flat = flatten(snapshot, target, qtype);
      if (!flat) return negative(zone, RCODE.NOERROR, r);
      const ttl = Math.min(cname.ttl, flat.ttl);
      r.answers.push(...flat.rrs.map((a) => ({ ...a, name: owner, ttl }) as Answer));
      return r;
    }
    r.answers.push(...rename(cname, owner));
    if (depth >= MAX_CHAIN || !isInZone(target, zone.name)) return r;
    if (r.answers.some((a) => a.type === 'CNAME' && canonicalName(a.name) === target)) return r; // loop
    return lookup(snapshot, zone, target, target, qtype, r, depth + 1);
  }
  return negative(zone, RCODE.NOERROR, r);
}

/** Resolve a name to its final A/AAAA set through our own data (following CNAMEs), for apex flattening. */
export function flatten(snapshot: DnsSnapshot, name: string, qtype: string): RRset | undefined {
  let n = name;
  for (let i = 0; i < MAX_CHAIN; i++) {
    const zone = findZone(snapshot, n);
    if (!zone || findCut(zone, n) !== undefined) return undefined;
    const node = zone.nodes.get(n) ?? wildcardFor(zone, n);
    if (!node) return undefined;
    const set = node.rrsets.get(qtype);
    if (set) return set;
    const c = node.rrsets.get('CNAME')?.rrs[0];
    if (!c || c.type !== 'CNAME' || n === zone.name) return undefined;
    n = canonicalName(c.data);
  }
  return undefined;
}

function wildcardFor(zone: CompiledZone, qname: string): ZoneNode | undefined {
  if (zone.existing.has(qname)) return undefined;
  let ce = parentName(qname);
  while (ce !== zone.name && ce !== '' && !zone.existing.has(ce)) ce = parentName(ce);
  return zone.nodes.get(`*.${ce}`);
}

/** Size limit for a UDP answer: 512 without EDNS, else the client's payload size within [512, server maximum]. */
export function udpLimit(snapshot: DnsSnapshot, query: DnsQuery): number {
  const opt = query.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
  if (!opt) return 512;
  return Math.max(512, Math.min(opt.udpPayloadSize, snapshot.maxUdpPayload));
}

function makeOpt(snapshot: DnsSnapshot, queryOpt: OptAnswer | undefined, extendedRcode: number): OptAnswer | undefined {
  if (!queryOpt) return undefined;
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize: snapshot.maxUdpPayload,
    extendedRcode,
    ednsVersion: 0,
    flags: queryOpt.flags & DO_BIT,
    flag_do: (queryOpt.flags & DO_BIT) !== 0,
    options: [],
  };
}

/** A bare response: the query's id, opcode, RD and CD, the given rcode, the question echoed. */
export function errorResponse(query: DnsQuery, rcode: number, opt?: OptAnswer): Packet {
  const qf = query.flags ?? 0;
  return {
    type: 'response',
    id: query.id ?? 0,
    flags: (qf & (OPCODE_MASK | FLAG_RD | FLAG_CD)) | (rcode & 0xf),
    questions: query.questions ? [...query.questions] : [],
    answers: [],
    authorities: [],
    additionals: opt ? [opt] : [],
  };
}

/**
 * Answer one query. The result is ready to encode: on UDP (clientInfo.transport) it is cut to the client's size limit,
 * dropping additional data first and setting TC (with an empty answer) when the answer itself does not fit.
 */
export function answer(snapshot: DnsSnapshot, query: DnsQuery, clientInfo: ClientInfo): Packet {
  const opts = (query.additionals ?? []).filter((a): a is OptAnswer => a.type === 'OPT');
  const queryOpt = opts[0];
  if (opts.length > 1) return errorResponse(query, RCODE.FORMERR);
  if (queryOpt && queryOpt.ednsVersion > 0) {
    // BADVERS = 16: upper 8 bits in the OPT's extended rcode, lower 4 (0) in the header.
    return errorResponse(query, 0, makeOpt(snapshot, queryOpt, RCODE.BADVERS >> 4));
  }
  const opt = makeOpt(snapshot, queryOpt, 0);
  const qf = query.flags ?? 0;
  const opcode = (qf >> 11) & 0xf;
  if (opcode !== 0) return errorResponse(query, RCODE.NOTIMP, opt);
  const q = query.questions?.[0];
  if (!q || (query.questions?.length ?? 0) !== 1) return errorResponse(query, RCODE.FORMERR, opt);
  const qclass = q.class ?? 'IN';
  const qname = canonicalName(q.name === '.' ? '' : q.name);
  const zone = findZone(snapshot, qname);
  if (!zone || (qclass !== 'IN' && qclass !== 'ANY')) return errorResponse(query, RCODE.REFUSED, opt);
  const qtype = String(q.type);
  if (qtype === 'AXFR' || qtype === 'IXFR') return errorResponse(query, clientInfo.transport === 'udp' ? RCODE.FORMERR : RCODE.REFUSED, opt);
  const owner = q.name === '.' ? '.' : q.name.replace(/\.$/, '');

  const r = lookup(snapshot, zone, qname, owner, qtype, { rcode: 0, aa: true, answers: [], authorities: [], additionals: [] }, 0);
  const packet: Packet = {
    type: 'response',
    id: query.id ?? 0,
    flags: (qf & (OPCODE_MASK | FLAG_RD | FLAG_CD)) | (r.aa ? FLAG_AA : 0) | r.rcode,
    questions: [q],
    answers: r.answers,
    authorities: r.authorities,
    additionals: opt ? [...r.additionals, opt] : r.additionals,
  };
  if (clientInfo.transport === 'udp') return fitUdp(packet, udpLimit(snapshot, query), opt);
  return packet;
}

/** Cut a response to `limit` bytes: drop additional data, then authority, then set TC with an empty answer. */
export function fitUdp(packet: Packet, limit: number, opt: OptAnswer | undefined): Packet {
  // Sizes are measured with the compressing encoder the server sends with.
  if (encodeMessage(packet).length <= limit) return packet;
  const noAdditional: Packet = { ...packet, additionals: opt ? [opt] : [] };
  if (encodeMessage(noAdditional).length <= limit) return noAdditional;
  const noAuthority: Packet = { ...noAdditional, authorities: [] };
  if ((packet.answers?.length ?? 0) > 0 && encodeMessage(noAuthority).length <= limit) return noAuthority;
  return truncated(packet, opt);
}

/** The TC=1 response with an empty answer (also what RRL's slip sends). */
export function truncated(packet: Packet, opt: OptAnswer | undefined): Packet {
  return { ...packet, flags: (packet.flags ?? 0) | FLAG_TC, answers: [], authorities: [], additionals: opt ? [opt] : [] };
}

/** Response code of a response packet, extended rcode included. */
export function responseRcode(packet: Packet): number {
  const opt = packet.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
  return ((opt?.extendedRcode ?? 0) << 4) | ((packet.flags ?? 0) & 0xf);
}
