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

class PrefixTable<K extends number | bigint> {
  readonly #maps = new Map<number, Map<K, AccessRule>>();
  #lengths: number[] = [];
  readonly #width: number;

  constructor(width: number) {
    this.#width = width;
  }

  add(prefix: K, bits: number, rule: AccessRule): void {
    let m = this.#maps.get(bits);
    if (!m) {
      m = new Map();
      this.#maps.set(bits, m);
      this.#lengths = [...this.#maps.keys()].sort((a, b) => b - a);
    }
    if (!m.has(prefix)) m.set(prefix, rule);
  }

  lookup(value: K, mask: (value: K, bits: number, width: number) => K): AccessRule | null {
    for (const bits of this.#lengths) {
      const r = (this.#maps.get(bits) as Map<K, AccessRule>).get(mask(value, bits, this.#width));
      if (r) return r;
    }
    return null;
  }
}

const maskV4 = (v: number, bits: number): number => (bits === 0 ? 0 : bits === 32 ? v : v - (v % 2 ** (32 - bits)));
const V6_ONES = (1n << 128n) - 1n;
const maskV6 = (v: bigint, bits: number): bigint => (bits === 128 ? v : v & (V6_ONES ^ ((1n << BigInt(128 - bits)) - 1n)));

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
  const v4 = new PrefixTable<number>(32);
  const v6 = new PrefixTable<bigint>(128);
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
        const r = ip.version === 4 ? v4.lookup(ip.value, maskV4) : v6.lookup(ip.value, maskV6);
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
