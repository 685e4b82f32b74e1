/** Invalidation on unsafe methods (RFC 9111 §4.4). */
import { getHeader } from './headers.ts';
import type { HeaderMap } from './headers.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * URLs whose stored responses must be invalidated after a response to `method` on `requestUrl`: for an unsafe
 * method answered with a non-error status (2xx/3xx), the request URL plus Location and Content-Location when they
 * resolve to the same origin (scheme, host, port). Returns absolute URLs; empty when nothing is to be invalidated.
 */
export function invalidationTargets(method: string, status: number, requestUrl: string, resHeaders: HeaderMap): string[] {
  if (SAFE.has(method.toUpperCase())) return [];
  if (status < 200 || status >= 400) return [];
  let base: URL;
  try { base = new URL(requestUrl); } catch { return []; }
  const out = new Set<string>([base.href]);
  for (const name of ['location', 'content-location']) {
    const v = getHeader(resHeaders, name);
    if (v === undefined) continue;
    try {
      const u = new URL(v.trim(), base);
      if (u.origin === base.origin) out.add(u.href);
    } catch { /* unparseable: ignore */ }
  }
  return [...out];
}
