/**
 * Zone transfer (AXFR, RFC 5936) over TCP: SOA, every RRset the server answers (proxied names carry the edge's
 * addresses, never the origin; an apex CNAME goes as its flattened A/AAAA), SOA again, packed into messages of at
 * most `maxMessageBytes`.
 * IXFR queries get the same full transfer (RFC 1995 §4 allows it).
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import { canonicalName } from './names.ts';
import type { DnsSnapshot } from './snapshot.ts';
import type { DnsQuery } from './answer.ts';
import { errorResponse, flatten, RCODE } from './answer.ts';
import { unmapIp } from './rrl.ts';

const FLAG_AA = 1 << 10;

/** Compile an allowlist of IPs and CIDRs ('192.0.2.10', '198.51.100.0/24', '2001:db8::/48'). Throws on a bad entry. */
export function compileAllowlist(entries: readonly string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const e of entries) {
    const [addr = '', bits] = e.split('/');
    const type = isIPv4(addr) ? 'ipv4' : isIPv6(addr) ? 'ipv6' : undefined;
    if (!type) throw new Error(`invalid allowlist entry '${e}'`);
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const n = Number(bits);
      if (!/^[0-9]+$/.test(bits) || n > (type === 'ipv4' ? 32 : 128)) throw new Error(`invalid allowlist entry '${e}'`);
      list.addSubnet(addr, n, type);
    }
  }
  return (ip: string): boolean => {
    const a = unmapIp(ip);
    if (isIPv4(a)) return list.check(a, 'ipv4');
    if (isIPv6(a)) return list.check(a, 'ipv6');
    return false;
  };
}

/** The RRs of a zone transfer, in order: SOA, everything else, SOA. Undefined when we are not authoritative for the exact name. */
export function axfrRecords(snapshot: DnsSnapshot, zoneName: string): Answer[] | undefined {
  const zone = snapshot.zones.get(canonicalName(zoneName));
  if (!zone) return undefined;
  const soa = zone.soa.rrs[0];
  if (!soa) return undefined;
  const out: Answer[] = [soa];
  for (const node of zone.nodes.values()) {
    const apex = node.name === zone.name;
    for (const [type, set] of node.rrsets) {
      if (type === 'SOA' && apex) continue;
      if (type === 'CNAME' && apex) {
        // A CNAME at the apex is illegal for other servers: transfer its flattened addresses instead.
        for (const t of ['A', 'AAAA']) {
          if (node.rrsets.has(t)) continue;
          const flat = flatten(snapshot, canonicalName(set.rrs[0]?.type === 'CNAME' ? set.rrs[0].data : ''), t);
          if (flat) out.push(...flat.rrs.map((a) => ({ ...a, name: zone.name, ttl: Math.min(set.ttl, flat.ttl) }) as Answer));
        }
        continue;
      }
      out.push(...set.rrs);
    }
  }
  out.push(soa);
  return out;
}

/** The response messages for an AXFR/IXFR query (REFUSED/NOTAUTH as a single message when not possible). */
export function axfrResponses(snapshot: DnsSnapshot, query: DnsQuery, allowed: boolean, maxMessageBytes = 16_384): Packet[] {
  if (!allowed) return [errorResponse(query, RCODE.REFUSED)];
  const q = query.questions?.[0];
  const rrs = q ? axfrRecords(snapshot, q.name) : undefined;
  if (!q || !rrs) return [errorResponse(query, RCODE.NOTAUTH)];
  const head = (answers: Answer[], first: boolean): Packet => ({
    type: 'response',
    id: query.id ?? 0,
    flags: FLAG_AA,
    questions: first ? [q] : [],
    answers,
  });
  const out: Packet[] = [];
  let cur: Answer[] = [];
  let size = dnsPacket.encodingLength(head([], true));
  for (const rr of rrs) {
    const s = dnsPacket.encodingLength({ answers: [rr] }) - 12;
    if (cur.length > 0 && size + s > maxMessageBytes) {
      out.push(head(cur, out.length === 0));
      cur = [];
      size = 12;
    }
    cur.push(rr);
    size += s;
  }
  out.push(head(cur, out.length === 0));
  return out;
}
