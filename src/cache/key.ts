/**
 * Cache keys. Primary key: zone + scheme + host + path + query (raw, sorted, ignored, or filtered to named args).
 * Secondary key (variant): the request's values of the headers the response lists in Vary, with Accept-Encoding
 * normalised to the one encoding the edge would serve (br, zstd, gzip, identity), so that the thousands of
 * Accept-Encoding spellings browsers send collapse into four variants.
 */
import { getHeader, splitList } from './policy/headers.ts';
import type { HeaderMap } from './policy/headers.ts';

export interface KeyOptions {
  /** 'raw' (default): query as sent; 'sorted': args sorted by name (stable); 'ignore': no query in the key. */
  readonly query?: 'raw' | 'sorted' | 'ignore';
  /** Only these query args are part of the key (implies sorted). */
  readonly includeArgs?: readonly string[];
  /** These query args are left out of the key (implies sorted). */
  readonly excludeArgs?: readonly string[];
}

export interface KeyParts {
  readonly zone: string;
  readonly scheme: string;
  /** Host header value; lower-cased, default port removed. */
  readonly host: string;
  readonly path: string;
  /** Query without the leading '?' ('' when none). */
  readonly query: string;
}

/** Lower-case the host and drop the scheme's default port. */
export function normalizeHost(host: string, scheme: string): string {
  const h = host.trim().toLowerCase();
  const s = scheme.toLowerCase();
  if ((s === 'http' && h.endsWith(':80')) || (s === 'https' && h.endsWith(':443'))) return h.slice(0, h.lastIndexOf(':'));
  return h;
}

/** The query part of the key, per the options. */
export function keyQuery(query: string, o: KeyOptions = {}): string {
  const q = query.startsWith('?') ? query.slice(1) : query;
  if (o.query === 'ignore' || q === '') return '';
  const filtered = o.includeArgs !== undefined || o.excludeArgs !== undefined;
  if (!filtered && o.query !== 'sorted') return q;
  const include = o.includeArgs === undefined ? undefined : new Set(o.includeArgs);
  const exclude = new Set(o.excludeArgs ?? []);
  const pairs = q.split('&').filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    const raw = eq < 0 ? p : p.slice(0, eq);
    let name = raw;
    try { name = decodeURIComponent(raw.replace(/\+/g, ' ')); } catch { /* keep raw */ }
    return { name, pair: p };
  }).filter(({ name }) => (include === undefined || include.has(name)) && !exclude.has(name));
  // Stable sort by name: repeated args keep their relative order (a=2&a=1 ≠ a=1&a=2).
  pairs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return pairs.map((p) => p.pair).join('&');
}

/** The primary cache key: `zone|scheme://host/path?query`. */
export function cacheKey(parts: KeyParts, options: KeyOptions = {}): string {
  const scheme = parts.scheme.toLowerCase();
  const q = keyQuery(parts.query, options);
  return `${parts.zone}|${scheme}://${normalizeHost(parts.host, scheme)}${parts.path}${q === '' ? '' : `?${q}`}`;
}

/** host + path as stored for prefix purges (`shop.test/static/app.js`). */
export function hostPath(host: string, scheme: string, path: string): string {
  return `${normalizeHost(host, scheme)}${path}`;
}

/** The Vary field's header names: lower-case, unique, sorted. ('*' is kept: such responses are not stored.) */
export function varyHeaderNames(vary: string | undefined): string[] {
  return [...new Set(splitList(vary).map((v) => v.toLowerCase()))].sort();
}

/** Encodings the edge serves, in order of preference at equal q. */
export const SERVED_ENCODINGS = ['br', 'zstd', 'gzip', 'identity'] as const;
export type ServedEncoding = (typeof SERVED_ENCODINGS)[number];

/** The encoding the edge would serve for this Accept-Encoding (RFC 9110 §12.5.3), one of SERVED_ENCODINGS. */
export function normalizeAcceptEncoding(value: string | undefined): ServedEncoding {
  if (value === undefined || value.trim() === '') return 'identity';
  const q = new Map<string, number>();
  for (const member of value.split(',')) {
    const [codingRaw, ...params] = member.split(';');
    const coding = (codingRaw ?? '').trim().toLowerCase();
    if (coding === '') continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m !== null && m[1] !== undefined) { const n = Number(m[1]); if (!Number.isNaN(n)) weight = Math.min(1, Math.max(0, n)); }
    }
    const name = coding === 'x-gzip' ? 'gzip' : coding;
    if (!q.has(name)) q.set(name, weight);
  }
  const star = q.get('*');
  let best: ServedEncoding = 'identity';
  let bestQ = -1;
  for (const enc of SERVED_ENCODINGS) {
    let w = q.get(enc) ?? (enc === 'identity' ? (star === 0 ? 0 : 0.001) : star ?? 0);
    if (enc === 'identity' && q.has('identity')) w = q.get('identity') ?? 0;
    if (w > bestQ && w > 0) { best = enc; bestQ = w; }
  }
  return best;
}

/**
 * The secondary key for a request, given the Vary header names of the stored response: `name=value` lines in
 * name order; Accept-Encoding normalised; an absent header is distinct from an empty one. '' when no Vary.
 */
export function variantKey(varyNames: readonly string[], reqHeaders: HeaderMap): string {
  if (varyNames.length === 0) return '';
  const parts: string[] = [];
  for (const name of varyNames) {
    const v = getHeader(reqHeaders, name);
    if (name === 'accept-encoding') parts.push(`${name}=${normalizeAcceptEncoding(v)}`);
    else parts.push(v === undefined ? `${name}` : `${name}=${v.trim().replace(/\s*,\s*/g, ',')}`);
  }
  return parts.join('\n');
}

/** Tags from the origin's Cache-Tag header (comma-separated, trimmed, unique, at most 1,000 tags of ≤ 1,024 bytes). */
export function parseCacheTags(value: string | undefined): string[] {
  const tags = new Set<string>();
  for (const t of (value ?? '').split(',')) {
    const s = t.trim();
    if (s !== '' && s.length <= 1024) tags.add(s.toLowerCase());
    if (tags.size >= 1000) break;
  }
  return [...tags];
}

/** The primary key for an absolute URL (e.g. from invalidationTargets or a purge-by-URL request). */
export function keyForUrl(zone: string, url: string, options: KeyOptions = {}): string | undefined {
  let u: URL;
  try { u = new URL(url); } catch { return undefined; }
  return cacheKey({ zone, scheme: u.protocol.replace(/:$/, ''), host: u.host, path: u.pathname, query: u.search }, options);
}
