/**
 * IP addresses, CIDRs, ranges and compiled IP sets. Pure, no dependencies; used per request by the data plane.
 *
 * An IPv4 address is a u32 `number`; an IPv6 address is a 128-bit `bigint`. An IPv4-mapped IPv6 address
 * (`::ffff:1.2.3.4`) is treated as the IPv4 address it carries, everywhere.
 */

export type Ip = { readonly version: 4; readonly value: number } | { readonly version: 6; readonly value: bigint };

/** An inclusive range of addresses of one family (a CIDR is a range too). */
export type IpRange =
  | { readonly version: 4; readonly start: number; readonly end: number }
  | { readonly version: 6; readonly start: bigint; readonly end: bigint };

export interface Cidr {
  readonly version: 4 | 6;
  readonly bits: number;
  readonly range: IpRange;
}

const V6_MAX = (1n << 128n) - 1n;

/** Parse a dotted-quad IPv4 address to a u32, or -1. Rejects leading zeros ("01") to avoid octal ambiguity. */
export function parseIpv4(s: string): number {
  const len = s.length;
  if (len < 7 || len > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let lead0 = false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
      if (dots > 3) return -1;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && lead0) return -1;
      if (digits === 0) lead0 = c === 48;
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/** Parse an IPv6 address (with `::`, embedded IPv4 and an optional `%zone`, which is ignored) to a bigint, or null. */
export function parseIpv6(input: string): bigint | null {
  const g = parseIpv6Groups(input);
  if (!g) return null;
  return (
    (BigInt(((g[0] as number) << 16 | (g[1] as number)) >>> 0) << 96n) |
    (BigInt(((g[2] as number) << 16 | (g[3] as number)) >>> 0) << 64n) |
    (BigInt(((g[4] as number) << 16 | (g[5] as number)) >>> 0) << 32n) |
    BigInt(((g[6] as number) << 16 | (g[7] as number)) >>> 0)
  );
}

const hexVal = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;

/** Parse an IPv6 address into its eight 16-bit groups, or null. One pass, no allocation but the result. */
export function parseIpv6Groups(input: string): Uint16Array | null {
  let n = input.length;
  const pct = input.indexOf('%');
  if (pct >= 0) n = pct;
  if (n < 2 || n > 45) return null;
  const groups = new Uint16Array(8);
  let count = 0;
  let gap = -1; // index in groups where '::' was
  let i = 0;
  if (input.charCodeAt(0) === 58) {
    if (input.charCodeAt(1) !== 58) return null;
    gap = 0;
    i = 2;
    if (i === n) return groups;
  }
  while (i < n) {
    if (count === 8) return null;
    // one group: up to 4 hex digits, or an embedded IPv4 at the end
    let v = 0;
    let digits = 0;
    const start = i;
    while (i < n) {
      const h = hexVal(input.charCodeAt(i));
      if (h < 0) break;
      v = (v << 4) | h;
      digits++;
      i++;
    }
    if (i < n && input.charCodeAt(i) === 46) {
      // embedded IPv4: must be last and leave room for two groups
      if (count > 6) return null;
      const v4 = parseIpv4(input.slice(start, n));
      if (v4 < 0) return null;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      i = n;
      break;
    }
    if (digits === 0 || digits > 4) return null;
    groups[count++] = v;
    if (i === n) break;
    if (input.charCodeAt(i) !== 58) return null;
    i++;
    if (input.charCodeAt(i) === 58) {
      if (gap >= 0) return null;
      gap = count;
      i++;
      if (i === n) break;
    } else if (i === n) {
      return null; // trailing single ':'
    }
  }
  if (gap < 0) return count === 8 ? groups : null;
  if (count > 7) return null;
  // move the groups after the gap to the end
  const tail = count - gap;
  for (let k = 0; k < tail; k++) {
    groups[7 - k] = groups[count - 1 - k] as number;
    groups[count - 1 - k] = 0;
  }
  for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  return groups;
}

/** Parse an IPv4 or IPv6 address; IPv4-mapped IPv6 becomes IPv4. Returns null when invalid. */
export function parseIp(s: string): Ip | null {
  if (s.indexOf(':') < 0) {
    const v4 = parseIpv4(s);
    return v4 < 0 ? null : { version: 4, value: v4 };
  }
  const v6 = parseIpv6(s);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { version: 4, value: Number(v6 & 0xffffffffn) };
  return { version: 6, value: v6 };
}

export function isValidIp(s: string): boolean {
  return parseIp(s) !== null;
}

export function formatIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** RFC 5952 text form of an IPv6 value (lower case, longest zero run compressed). */
export function formatIpv6(v: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

export function formatIp(ip: Ip): string {
  return ip.version === 4 ? formatIpv4(ip.value) : formatIpv6(ip.value);
}

/** Canonical text of an address (`::ffff:1.2.3.4` → `1.2.3.4`, `2001:DB8:0::1` → `2001:db8::1`), or null. */
export function normalizeIp(s: string): string | null {
  const ip = parseIp(s);
  return ip ? formatIp(ip) : null;
}

/** Order: every IPv4 before every IPv6, then by numeric value. */
export function compareIp(a: Ip, b: Ip): number {
  if (a.version !== b.version) return a.version < b.version ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export function ipEquals(a: Ip, b: Ip): boolean {
  return a.version === b.version && a.value === b.value;
}

/** Parse `addr/bits`; host bits are masked off. IPv4-mapped IPv6 CIDRs with bits >= 96 become IPv4. Null if invalid. */
export function parseCidr(s: string): Cidr | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const bitsText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return null;
  let bits = Number(bitsText);
  const addrText = s.slice(0, slash);
  if (addrText.indexOf(':') < 0) {
    const v4 = parseIpv4(addrText);
    if (v4 < 0 || bits > 32) return null;
    return { version: 4, bits, range: v4Range(v4, bits) };
  }
  const v6 = parseIpv6(addrText);
  if (v6 === null || bits > 128) return null;
  if (bits >= 96 && (v6 >> 32n) === 0xffffn) {
    bits -= 96;
    return { version: 4, bits, range: v4Range(Number(v6 & 0xffffffffn), bits) };
  }
  const hostMask = bits === 128 ? 0n : (1n << BigInt(128 - bits)) - 1n;
  const start = v6 & (V6_MAX ^ hostMask);
  return { version: 6, bits, range: { version: 6, start, end: start | hostMask } };
}

function v4Range(v: number, bits: number): IpRange {
  if (bits === 0) return { version: 4, start: 0, end: 0xffffffff };
  const size = 2 ** (32 - bits);
  const start = v - (v % size);
  return { version: 4, start, end: start + size - 1 };
}

/** Parse `a-b` (both the same family, a <= b). Null if invalid. */
export function parseIpRange(s: string): IpRange | null {
  const dash = s.indexOf('-');
  if (dash < 0) return null;
  const a = parseIp(s.slice(0, dash).trim());
  const b = parseIp(s.slice(dash + 1).trim());
  if (!a || !b || a.version !== b.version || compareIp(a, b) > 0) return null;
  return a.version === 4
    ? { version: 4, start: a.value, end: (b as { value: number }).value }
    : { version: 6, start: a.value, end: (b as { value: bigint }).value };
}

/** Parse one IP set entry: an address, a CIDR or a range. Null if invalid. */
export function parseIpEntry(s: string): IpRange | null {
  const t = s.trim();
  if (t.includes('/')) return parseCidr(t)?.range ?? null;
  if (t.includes('-')) return parseIpRange(t);
  const ip = parseIp(t);
  if (!ip) return null;
  return ip.version === 4
    ? { version: 4, start: ip.value, end: ip.value }
    : { version: 6, start: ip.value, end: ip.value };
}

export function rangeContains(r: IpRange, ip: Ip): boolean {
  if (r.version === 4) return ip.version === 4 && ip.value >= r.start && ip.value <= r.end;
  return ip.version === 6 && ip.value >= r.start && ip.value <= r.end;
}

export function cidrContains(cidr: Cidr, ip: Ip | string): boolean {
  const p = typeof ip === 'string' ? parseIp(ip) : ip;
  return p !== null && rangeContains(cidr.range, p);
}

/** Thrown by IpSet.from for an entry that is not an IP, CIDR or range. */
export class IpSetEntryError extends Error {
  readonly code = 'ip.invalid_entry';
  readonly entry: string;
  readonly index: number;
  constructor(entry: string, index: number) {
    super(`invalid IP, CIDR or range at entry ${index}: ${JSON.stringify(entry)}`);
    this.name = 'IpSetEntryError';
    this.entry = entry;
    this.index = index;
  }
}

/**
 * An immutable set of addresses compiled from IPs, CIDRs and ranges: merged, sorted disjoint ranges with binary
 * search (IPv4 on a Float64Array of u32 bounds, IPv6 on bigint arrays). `has()` is O(log n).
 */
export class IpSet {
  readonly #v4Start: Float64Array;
  readonly #v4End: Float64Array;
  readonly #v6Start: bigint[];
  readonly #v6End: bigint[];
  /** Number of merged disjoint ranges. */
  readonly size: number;

  private constructor(ranges: readonly IpRange[]) {
    const v4: [number, number][] = [];
    const v6: [bigint, bigint][] = [];
    for (const r of ranges) {
      if (r.version === 4) v4.push([r.start, r.end]);
      else v6.push([r.start, r.end]);
    }
    v4.sort((a, b) => a[0] - b[0]);
    v6.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const m4 = mergeRanges(v4, 1);
    const m6 = mergeRanges(v6, 1n);
    this.#v4Start = Float64Array.from(m4.map((r) => r[0]));
    this.#v4End = Float64Array.from(m4.map((r) => r[1]));
    this.#v6Start = m6.map((r) => r[0]);
    this.#v6End = m6.map((r) => r[1]);
    this.size = m4.length + m6.length;
  }

  /** Compile entries (addresses, CIDRs, `a-b` ranges). Throws IpSetEntryError on the first invalid entry. */
  static from(entries: Iterable<string>): IpSet {
    const ranges: IpRange[] = [];
    let i = 0;
    for (const e of entries) {
      const r = parseIpEntry(e);
      if (!r) throw new IpSetEntryError(e, i);
      ranges.push(r);
      i++;
    }
    return new IpSet(ranges);
  }

  static fromRanges(ranges: readonly IpRange[]): IpSet {
    return new IpSet(ranges);
  }

  /** Membership of an address given as text or parsed; invalid text is never a member. */
  has(ip: string | Ip | null | undefined): boolean {
    if (ip === null || ip === undefined) return false;
    const p = typeof ip === 'string' ? parseIp(ip) : ip;
    if (!p) return false;
    if (p.version === 4) {
      const starts = this.#v4Start;
      let lo = 0;
      let hi = starts.length - 1;
      const v = p.value;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if ((starts[mid] as number) <= v) lo = mid + 1;
        else hi = mid - 1;
      }
      return hi >= 0 && v <= (this.#v4End[hi] as number);
    }
    const starts = this.#v6Start;
    let lo = 0;
    let hi = starts.length - 1;
    const v = p.value;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] as bigint) <= v) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && v <= (this.#v6End[hi] as bigint);
  }
}

function mergeRanges<T extends number | bigint>(sorted: [T, T][], one: T): [T, T][] {
  const out: [T, T][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    // adjacent ranges merge too: last.end + 1 >= r.start
    if (last && (last[1] as number) + (one as number) >= (r[0] as number)) {
      if (r[1] > last[1]) last[1] = r[1];
    } else {
      out.push([r[0], r[1]]);
    }
  }
  return out;
}

/**
 * A string key for the client's network: the address masked to `v4bits` (IPv4) or `v6bits` (IPv6), with the prefix
 * length, e.g. `203.0.113.0/24`, `2001:db8:1:2::/64`. Invalid input returns the input unchanged.
 */
export function ipPrefix(ip: string, v4bits = 24, v6bits = 64): string {
  const p = parseIp(ip);
  if (!p) return ip;
  if (p.version === 4) {
    const r = v4Range(p.value, Math.max(0, Math.min(32, v4bits)));
    return `${formatIpv4(r.start as number)}/${Math.max(0, Math.min(32, v4bits))}`;
  }
  const bits = Math.max(0, Math.min(128, v6bits));
  const hostMask = bits === 128 ? 0n : (1n << BigInt(128 - bits)) - 1n;
  return `${formatIpv6(p.value & (V6_MAX ^ hostMask))}/${bits}`;
}
