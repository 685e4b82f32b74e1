/**
 * Access rules (IP, CIDR, range, country, ASN) compiled to a prefix structure: per address family, one hash map per
 * prefix length present, probed from the longest length down. A lookup costs at most one probe per distinct prefix
 * length (≤ 33 for IPv4, ≤ 129 for IPv6), whatever the number of rules.
 *
 * Precedence: the most specific address rule (longest prefix; an IP is a /32 or /128) > ASN > country. Among rules
 * with the same target, the first in the list wins. Zone and account-wide rules: compile each list separately and
 * consult the zone's matcher first.
 */
import { parseCidr, parseIp, parseIpRange } from '../lib/ip.ts';
import type { Ip, IpRange } from '../lib/ip.ts';
import type { AccessRule } from './schemas.ts';

export interface AccessMatcher {
  /** Number of rules compiled in. */
  readonly size: number;
  /** The rule that applies to a client, or null. `ip` as text or parsed; country upper case; asn as a number. */
  match(ip: string | Ip | null, country?: string, asn?: number): AccessRule | null;
}

const V4_MASKS = Int32Array.from({ length: 33 }, (_, bits) => (bits === 0 ? 0 : ~0 << (32 - bits)));

/** IPv4: one Map per prefix length, keyed by the masked address as an int32 (a small integer, cheap to hash). */
class V4Table {
  readonly #maps = new Map<number, Map<number, AccessRule>>();
  #lengths: Int32Array = new Int32Array(0);
  #tables: Map<number, AccessRule>[] = [];

  add(start: number, bits: number, rule: AccessRule): void {
    let m = this.#maps.get(bits);
    if (!m) {
      m = new Map();
      this.#maps.set(bits, m);
      const lengths = [...this.#maps.keys()].sort((a, b) => b - a);
      this.#lengths = Int32Array.from(lengths);
      this.#tables = lengths.map((l) => this.#maps.get(l) as Map<number, AccessRule>);
    }
    const key = start & (V4_MASKS[bits] as number);
    if (!m.has(key)) m.set(key, rule);
  }

  lookup(v: number): AccessRule | null {
    const lengths = this.#lengths;
    for (let i = 0; i < lengths.length; i++) {
      const r = (this.#tables[i] as Map<number, AccessRule>).get(v & (V4_MASKS[lengths[i] as number] as number));
      if (r !== undefined) return r;
    }
    return null;
  }
}

/** IPv6: one Map per prefix length, keyed by the hex text of the prefix (bigint Map keys hash poorly in V8). */
class V6Table {
  readonly #maps = new Map<number, Map<string, AccessRule>>();
  #lengths: number[] = [];

  add(start: bigint, bits: number, rule: AccessRule): void {
    let m = this.#maps.get(bits);
    if (!m) {
      m = new Map();
      this.#maps.set(bits, m);
      this.#lengths = [...this.#maps.keys()].sort((a, b) => b - a);
    }
    const key = v6Key(start, bits);
    if (!m.has(key)) m.set(key, rule);
  }

  lookup(v: bigint): AccessRule | null {
    for (const bits of this.#lengths) {
      const r = (this.#maps.get(bits) as Map<string, AccessRule>).get(v6Key(v, bits));
      if (r !== undefined) return r;
    }
    return null;
  }
}

const SHIFTS = Array.from({ length: 129 }, (_, bits) => BigInt(128 - bits));
const v6Key = (v: bigint, bits: number): string => (bits === 0 ? '' : (v >> (SHIFTS[bits] as bigint)).toString(16));

/** Split an inclusive range into the fewest aligned prefixes. */
export function rangeToPrefixes(r: IpRange): { start: number | bigint; bits: number }[] {
  const width = r.version === 4 ? 32 : 128;
  let start = BigInt(r.start);
  const end = BigInt(r.end);
  const out: { start: number | bigint; bits: number }[] = [];
  while (start <= end) {
    let size = 0; // log2 of the block size
    while (size < width && (start & ((1n << BigInt(size + 1)) - 1n)) === 0n && start + (1n << BigInt(size + 1)) - 1n <= end) size++;
    out.push({ start: r.version === 4 ? Number(start) : start, bits: width - size });
    start += 1n << BigInt(size);
  }
  return out;
}

/** Compile access rules. Entries that do not parse are skipped (the schema rejects them first). */
export function compileAccessRules(rules: readonly AccessRule[]): AccessMatcher {
  const v4 = new V4Table();
  const v6 = new V6Table();
  const countries = new Map<string, AccessRule>();
  const asns = new Map<number, AccessRule>();
  let size = 0;
  const addRange = (r: IpRange, rule: AccessRule): void => {
    for (const p of rangeToPrefixes(r)) {
      if (r.version === 4) v4.add(p.start as number, p.bits, rule);
      else v6.add(p.start as bigint, p.bits, rule);
    }
  };
  for (const rule of rules) {
    const text = String(rule.value).trim();
    switch (rule.target) {
      case 'ip': {
        const ip = parseIp(text);
        if (!ip) continue;
        if (ip.version === 4) v4.add(ip.value, 32, rule);
        else v6.add(ip.value, 128, rule);
        break;
      }
      case 'cidr': {
        const c = parseCidr(text);
        if (!c) continue;
        if (c.range.version === 4) v4.add(c.range.start, c.bits, rule);
        else v6.add(c.range.start, c.bits, rule);
        break;
      }
      case 'range': {
        const r = parseIpRange(text);
        if (!r) continue;
        addRange(r, rule);
        break;
      }
      case 'country': {
        const k = text.toUpperCase();
        if (!countries.has(k)) countries.set(k, rule);
        break;
      }
      case 'asn': {
        const n = Number(text.replace(/^AS/i, ''));
        if (!Number.isInteger(n)) continue;
        if (!asns.has(n)) asns.set(n, rule);
        break;
      }
    }
    size++;
  }
  return {
    size,
    match(ipIn, country, asn) {
      const ip = typeof ipIn === 'string' ? parseIp(ipIn) : ipIn;
      if (ip) {
        const r = ip.version === 4 ? v4.lookup(ip.value) : v6.lookup(ip.value);
        if (r) return r;
      }
      if (asn !== undefined && asns.size > 0) {
        const r = asns.get(asn);
        if (r) return r;
      }
      if (country !== undefined && countries.size > 0) {
        const r = countries.get(country.toUpperCase());
        if (r) return r;
      }
      return null;
    },
  };
}
