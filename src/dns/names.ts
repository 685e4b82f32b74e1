/**
 * Domain-name helpers. Inside the DNS module a name is kept in canonical form: lower case, no trailing dot,
 * the root being the empty string ('shop.test', 'www.shop.test').
 */

/** Canonical form of an absolute name: lower case, trailing dot removed ('WWW.Shop.Test.' → 'www.shop.test'). */
export function canonicalName(name: string): string {
  let n = name.toLowerCase();
  if (n.endsWith('.')) n = n.slice(0, -1);
  return n;
}

/** True when `name` equals `zone` or lies below it (both canonical). */
export function isInZone(name: string, zone: string): boolean {
  if (zone === '') return true;
  return name === zone || name.endsWith('.' + zone);
}

/** The parent of a canonical name ('a.b.c' → 'b.c', 'c' → ''). */
export function parentName(name: string): string {
  const i = name.indexOf('.');
  return i < 0 ? '' : name.slice(i + 1);
}

/**
 * Resolve a record's owner name inside a zone: '@' is the apex, a trailing dot marks an absolute name, a name that
 * already ends with the zone name is taken as absolute (as Cloudflare's API does), anything else is relative.
 * Returns the canonical absolute name.
 */
export function resolveOwner(name: string, zone: string): string {
  const z = canonicalName(zone);
  if (name === '@' || name === '') return z;
  if (name.endsWith('.')) return canonicalName(name);
  const n = name.toLowerCase();
  if (n === z || n.endsWith('.' + z)) return n;
  if (n.endsWith('.@')) return `${n.slice(0, -2)}.${z}`;
  return z === '' ? n : `${n}.${z}`;
}

/** The owner name written relative to the zone ('www.shop.test' in 'shop.test' → 'www', the apex → '@'). */
export function relativeName(name: string, zone: string): string {
  const n = canonicalName(name);
  const z = canonicalName(zone);
  if (n === z) return '@';
  if (z !== '' && n.endsWith('.' + z)) return n.slice(0, -(z.length + 1));
  return `${n}.`;
}

const LABEL = /^(?:\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/i;

/** Check the syntax of a host name (labels of 1-63 letters, digits, '-', '_'; total ≤ 253). `*` allowed as the first label when `wildcard`. */
export function isValidHostname(name: string, opts: { wildcard?: boolean; allowRoot?: boolean } = {}): boolean {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n === '') return opts.allowRoot === true;
  if (n.length > 253) return false;
  const labels = n.split('.');
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i] ?? '';
    if (!LABEL.test(l)) return false;
    if (l === '*' && (i !== 0 || opts.wildcard !== true)) return false;
  }
  return true;
}
