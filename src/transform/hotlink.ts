/**
 * Hotlink protection: an image requested from a page on another site (its Referer names a foreign host) is refused
 * (the edge answers 403), so other sites cannot embed the zone's images at the zone's expense.
 *
 * An image request: the path ends in an image extension (gif, ico, jpg, jpeg, png, webp, avif, bmp, svg, tif,
 * tiff, jxl, heic), or the browser says it loads an image (`Sec-Fetch-Dest: image`).
 * Allowed: no Referer or an empty one (direct visits, privacy settings, apps); a Referer whose host is the request's
 * host, the zone's name or a subdomain of it, one of the zone's aliases (`*.x` covers subdomains of x), or on the
 * zone's allowlist (same syntax); a path containing `hotlink-ok` (Cloudflare's convention for deliberate sharing).
 * A Referer that is not an http(s) URL counts as foreign.
 */

const IMAGE_EXT = new Set(['gif', 'ico', 'jpg', 'jpeg', 'png', 'webp', 'avif', 'bmp', 'svg', 'tif', 'tiff', 'jxl', 'heic', 'heif', 'apng']);

export interface HotlinkConfig {
  /** The zone's name and aliases (aliases may be `*.name`). */
  readonly zoneHosts: readonly string[];
  /** Extra allowed referring hosts (`example.com` exact, `*.example.com` its subdomains). */
  readonly allow: readonly string[];
}

export interface HotlinkRequest {
  /** Path, with or without the query. */
  readonly path: string;
  readonly referer: string | undefined;
  readonly secFetchDest: string | undefined;
  /** The request's own host (normalised: lower case, no port). */
  readonly host: string;
}

export interface HotlinkPolicy {
  /** True when the request must be refused. */
  blocks(r: HotlinkRequest): boolean;
}

function normal(h: string): string { return h.trim().toLowerCase().replace(/\.$/, ''); }

/** Compile once per zone: exact hosts in a set, wildcard suffixes in a list. */
export function compileHotlink(c: HotlinkConfig): HotlinkPolicy {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  const add = (h: string, subdomains: boolean): void => {
    const n = normal(h);
    if (n.startsWith('*.')) { suffixes.push(n.slice(1)); return; }
    exact.add(n);
    if (subdomains) suffixes.push('.' + n);
  };
  c.zoneHosts.forEach((h, i) => add(h, i === 0)); // the zone's name covers its subdomains
  for (const h of c.allow) add(h, false);
  const allowed = (host: string): boolean => {
    if (exact.has(host)) return true;
    for (const s of suffixes) if (host.endsWith(s)) return true;
    return false;
  };
  return {
    blocks(r) {
      if (r.referer === undefined || r.referer.trim() === '') return false;
      if (!isImageRequest(r.path, r.secFetchDest)) return false;
      const q = r.path.indexOf('?');
      if ((q < 0 ? r.path : r.path.slice(0, q)).toLowerCase().includes('hotlink-ok')) return false;
      const host = refererHost(r.referer);
      if (host === undefined) return true;
      return host !== r.host && !allowed(host);
    },
  };
}

/** Whether the request is for an image (by extension or Sec-Fetch-Dest). */
export function isImageRequest(path: string, secFetchDest: string | undefined): boolean {
  if (secFetchDest !== undefined && secFetchDest.trim().toLowerCase() === 'image') return true;
  const q = path.indexOf('?');
  const p = q < 0 ? path : path.slice(0, q);
  const slash = p.lastIndexOf('/');
  const dot = p.lastIndexOf('.');
  if (dot <= slash) return false;
  return IMAGE_EXT.has(p.slice(dot + 1).toLowerCase());
}

/** The host of an http(s) Referer, lower case, without port; undefined when it is not such a URL. */
export function refererHost(referer: string): string | undefined {
  let u: URL;
  try { u = new URL(referer.trim()); } catch { return undefined; }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  return normal(u.hostname.replace(/^\[|\]$/g, ''));
}
