/**
 * The traits of a request that automatic mitigation counts and matches, computed once per request, cheaply:
 * path (no query), User-Agent, source prefix (/24 for IPv4, /64 for IPv6) and a fingerprint (a 32-bit FNV-1a hash
 * of the header names in the order sent, with their case, plus the protocol: HTTP version, TLS version and ALPN).
 */
import { clientPrefix } from '../ip-prefix.ts';

export type SegmentDim = 'prefix' | 'ua' | 'fingerprint' | 'path';

/** Every dimension, narrowest first (the order breaks ties when two segments explain a surge equally). */
export const SEGMENT_DIMS: readonly SegmentDim[] = ['prefix', 'ua', 'fingerprint', 'path'];

export interface Traits {
  readonly path: string;
  readonly ua: string;
  readonly prefix: string;
  readonly fingerprint: string;
}

export function traitOf(t: Traits, dim: SegmentDim): string {
  switch (dim) {
    case 'path': return t.path;
    case 'ua': return t.ua;
    case 'prefix': return t.prefix;
    case 'fingerprint': return t.fingerprint;
  }
}

/** The path of a request target, without the query; capped so a flood of huge URLs cannot bloat the sketches. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  const p = q < 0 ? url : url.slice(0, q);
  return p.length > 256 ? p.slice(0, 256) : p;
}

/** `a.b.c.0/24` for IPv4 (and IPv4-mapped IPv6), `h:h:h:h::/64` for IPv6. */
export function prefixOf(ip: string): string {
  const dot = ip.lastIndexOf('.');
  if (dot > 0 && ip.indexOf(':') < 0) return ip.slice(0, dot) + '.0/24';
  const p = clientPrefix(ip);
  return p.startsWith('v4:') || p.startsWith('v6:') ? p.slice(3) : p;
}

/**
 * Hash of the header names in order (even entries of Node's `rawHeaders`) and the protocol traits, as 8 hex
 * digits. Header values are not hashed: the fingerprint tells clients (libraries, bots, browsers) apart, not users.
 */
export function fingerprintOf(rawHeaders: readonly string[], proto: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    for (let j = 0; j < name.length; j++) { h ^= name.charCodeAt(j); h = Math.imul(h, 0x01000193); }
    h ^= 0x2c; h = Math.imul(h, 0x01000193);
  }
  h ^= 0x7c; h = Math.imul(h, 0x01000193);
  for (let j = 0; j < proto.length; j++) { h ^= proto.charCodeAt(j); h = Math.imul(h, 0x01000193); }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** What a fingerprint stands for, for people: `Host,User-Agent,Accept h1.1` (at most 512 characters). */
export function describeFingerprint(rawHeaders: readonly string[], proto: string): string {
  let s = '';
  for (let i = 0; i < rawHeaders.length && s.length < 480; i += 2) s += (i === 0 ? '' : ',') + rawHeaders[i]!;
  return `${s} ${proto}`.slice(0, 512);
}

/** The User-Agent as counted: capped at 256 characters; absent is the empty string. */
export function uaOf(ua: string | undefined): string {
  if (ua === undefined) return '';
  return ua.length > 256 ? ua.slice(0, 256) : ua;
}
