/** Validation (RFC 9111 §4.3): building the conditional request and merging a 304 into the stored response. */
import { getHeader } from './headers.ts';
import type { HeaderMap } from './headers.ts';

/** If-None-Match from the stored ETag and If-Modified-Since from its Last-Modified; empty when it has neither. */
export function conditionalHeaders(stored: HeaderMap): Record<string, string> {
  const out: Record<string, string> = {};
  const etag = getHeader(stored, 'etag');
  const lm = getHeader(stored, 'last-modified');
  if (etag !== undefined) out['if-none-match'] = etag;
  if (lm !== undefined) out['if-modified-since'] = lm;
  return out;
}

/** True when the stored response carries a validator. */
export function hasValidator(stored: HeaderMap): boolean {
  return getHeader(stored, 'etag') !== undefined || getHeader(stored, 'last-modified') !== undefined;
}

/** Fields a 304 must not change in the stored response (§3.2: Content-Length; framing and hop-by-hop fields). */
const NOT_UPDATED = new Set([
  'content-length', 'content-encoding', 'content-range', 'transfer-encoding', 'connection', 'keep-alive',
  'proxy-connection', 'te', 'trailer', 'upgrade',
]);

export type MergeResult =
  | { readonly matched: true; readonly headers: Record<string, string | string[]> }
  /** The 304 names a different representation (strong ETag mismatch): the stored response must not be reused. */
  | { readonly matched: false };

function strongEtag(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  return t.startsWith('W/') ? undefined : t;
}

/**
 * §4.3.4: freshen the stored response with a 304's header fields (replacing those present, keeping the rest),
 * except Content-Length and framing fields. A 304 whose strong ETag differs from the stored one does not select it.
 */
export function mergeNotModified(stored: HeaderMap, notModified: HeaderMap): MergeResult {
  const newTag = strongEtag(getHeader(notModified, 'etag'));
  const oldTag = getHeader(stored, 'etag')?.trim();
  if (newTag !== undefined && oldTag !== undefined && newTag !== oldTag && `W/${newTag}` !== oldTag) return { matched: false };
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(stored)) if (v !== undefined) headers[k] = typeof v === 'string' ? v : [...v];
  for (const [k, v] of Object.entries(notModified)) {
    const name = k.toLowerCase();
    if (v === undefined || NOT_UPDATED.has(name)) continue;
    headers[name] = typeof v === 'string' ? v : [...v];
  }
  return { matched: true, headers };
}
