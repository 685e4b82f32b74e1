/**
 * A client's own conditional GET/HEAD against a stored response (RFC 9110 §13.1.2, §13.1.3, §13.2.2): may the
 * cache answer 304 Not Modified? If-None-Match (weak comparison, `*` matches any) takes precedence over
 * If-Modified-Since, which is compared with the stored Last-Modified (or Date).
 */
import { getHeader, parseHttpDate } from './headers.ts';
import type { HeaderMap } from './headers.ts';

function opaque(tag: string): string {
  const t = tag.trim();
  return t.startsWith('W/') ? t.slice(2) : t;
}

export function clientNotModified(reqHeaders: HeaderMap, stored: HeaderMap): boolean {
  const inm = getHeader(reqHeaders, 'if-none-match');
  if (inm !== undefined) {
    const etag = getHeader(stored, 'etag');
    if (inm.trim() === '*') return true;
    if (etag === undefined) return false;
    const want = opaque(etag);
    return inm.split(',').some((t) => opaque(t) === want);
  }
  const ims = parseHttpDate(getHeader(reqHeaders, 'if-modified-since'));
  if (ims === undefined) return false;
  const lm = parseHttpDate(getHeader(stored, 'last-modified')) ?? parseHttpDate(getHeader(stored, 'date'));
  return lm !== undefined && lm <= ims;
}

/** Fields a 304 carries from the stored response (RFC 9110 §15.4.5). */
export const NOT_MODIFIED_FIELDS: readonly string[] = ['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary', 'last-modified', 'age'];
