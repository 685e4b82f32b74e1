/**
 * Response compression: content-coding negotiation (RFC 9110 §12.5.3), the decision whether a response may be
 * compressed, the header rewrite, and the streaming compressors (node:zlib's brotli, zstd and gzip).
 *
 * Negotiation: the highest q-value wins among br, zstd, gzip and identity; at equal q the preference is
 * br > zstd > gzip > identity; `*` covers codings not named; `identity` is acceptable unless refused (`identity;q=0`
 * or `*;q=0` without an identity entry). It gives the same answer as the cache's `normalizeAcceptEncoding`
 * (src/cache/key.ts), so the cache variant keyed by the normalised Accept-Encoding always holds a body in the
 * encoding negotiated here (a unit test checks the two agree).
 *
 * A response is *eligible* (its body depends on Accept-Encoding, so it carries `Vary: Accept-Encoding`) when it
 * has a body status (not 1xx, 204, 206, 304), no Content-Encoding (other than identity), no Content-Range, no
 * `Cache-Control: no-transform`, a compressible media type and, when its length is known, at least `minBytes`.
 * It is then *compressed* unless the request is HEAD, has a Range header, or the client negotiates identity.
 */
import { constants, createBrotliCompress, createGzip, createZstdCompress } from 'node:zlib';
import type { Transform } from 'node:stream';
import { addListToken, getField, mediaType, noTransform, removeField, setField, weakenEtag } from './headers.ts';

export type ContentCoding = 'br' | 'zstd' | 'gzip';
export type NegotiatedCoding = ContentCoding | 'identity';

/** In order of preference at equal q. */
export const CODINGS: readonly NegotiatedCoding[] = ['br', 'zstd', 'gzip', 'identity'];

/** The content coding to send for this Accept-Encoding value. */
export function negotiateEncoding(acceptEncoding: string | undefined): NegotiatedCoding {
  if (acceptEncoding === undefined || acceptEncoding.trim() === '') return 'identity';
  const q = new Map<string, number>();
  for (const member of acceptEncoding.split(',')) {
    const parts = member.split(';');
    let coding = (parts[0] ?? '').trim().toLowerCase();
    if (coding === '') continue;
    if (coding === 'x-gzip') coding = 'gzip';
    let weight = 1;
    for (let i = 1; i < parts.length; i++) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(parts[i]!);
      if (m !== null) { const n = Number(m[1]); if (!Number.isNaN(n)) weight = Math.min(1, Math.max(0, n)); }
    }
    if (!q.has(coding)) q.set(coding, weight);
  }
  const star = q.get('*');
  let best: NegotiatedCoding = 'identity';
  let bestQ = -1;
  for (const c of CODINGS) {
    const w = q.get(c) ?? (c === 'identity' ? (star === 0 ? 0 : 0.001) : star ?? 0);
    if (w > 0 && w > bestQ) { best = c; bestQ = w; }
  }
  return best;
}

/** Media types worth compressing (text and text-like formats; images, video, archives are already compressed). */
const COMPRESSIBLE = new Set([
  'application/javascript', 'application/x-javascript', 'application/ecmascript', 'application/json', 'application/ld+json',
  'application/manifest+json', 'application/xml', 'application/xhtml+xml', 'application/rss+xml', 'application/atom+xml',
  'application/graphql-response+json', 'application/wasm', 'application/vnd.ms-fontobject', 'application/x-font-ttf',
  'application/x-font-opentype', 'application/x-httpd-php', 'application/x-sh', 'application/rtf', 'application/geo+json',
  'application/problem+json', 'application/problem+xml', 'application/vnd.api+json', 'application/x-ndjson',
  'font/ttf', 'font/otf', 'font/eot', 'font/collection', 'image/svg+xml', 'image/x-icon', 'image/vnd.microsoft.icon', 'image/bmp',
]);

/**
 * Whether a media type is compressible: text/* (except text/event-stream, whose events must not wait in a
 * compressor), the listed types, and any +json / +xml structured suffix.
 */
export function isCompressibleType(contentType: string | undefined): boolean {
  const t = mediaType(contentType);
  if (t === '') return false;
  if (t.startsWith('text/')) return t !== 'text/event-stream';
  return COMPRESSIBLE.has(t) || t.endsWith('+json') || t.endsWith('+xml');
}

export interface CompressOptions {
  /** Responses whose Content-Length is below this are sent as they are (default 1024). */
  readonly minBytes?: number;
}

export const DEFAULT_MIN_BYTES = 1024;

export interface CompressRequest {
  readonly method: string;
  readonly acceptEncoding: string | undefined;
  readonly range: boolean;
}

export interface CompressDecision {
  /** The body depends on Accept-Encoding: add `Vary: Accept-Encoding`. */
  readonly vary: boolean;
  /** The coding to apply, or undefined to send the body as it is. */
  readonly coding: ContentCoding | undefined;
  /** Why not (for tests and debugging): 'status', 'encoded', 'no-transform', 'type', 'small', 'head', 'range', 'identity'. */
  readonly reason: string;
}

/** Decide from the request and the response head (flat header pairs). */
export function decideCompression(req: CompressRequest, status: number, flat: readonly string[], o: CompressOptions = {}): CompressDecision {
  const no = (reason: string, vary = false): CompressDecision => ({ vary, coding: undefined, reason });
  if (status < 200 || status === 204 || status === 206 || status === 304) return no('status');
  const ce = getField(flat, 'content-encoding');
  if (ce !== undefined && ce.trim().toLowerCase() !== 'identity' && ce.trim() !== '') return no('encoded');
  if (getField(flat, 'content-range') !== undefined) return no('status');
  if (noTransform(flat)) return no('no-transform');
  if (!isCompressibleType(getField(flat, 'content-type'))) return no('type');
  const cl = getField(flat, 'content-length');
  if (cl !== undefined && Number(cl) < (o.minBytes ?? DEFAULT_MIN_BYTES)) return no('small');
  if (req.method === 'HEAD') return no('head', true);
  if (req.range) return no('range', true);
  const coding = negotiateEncoding(req.acceptEncoding);
  if (coding === 'identity') return no('identity', true);
  return { vary: true, coding, reason: 'compressed' };
}

/**
 * Rewrite the head of a response that will be compressed with `coding`: Content-Encoding set, Content-Length,
 * Accept-Ranges and Content-MD5 removed (they describe the origin's bytes), ETag weakened, Vary gets Accept-Encoding.
 */
export function compressHeaders(flat: string[], coding: ContentCoding): void {
  removeField(flat, 'content-encoding');
  flat.push('content-encoding', coding);
  removeField(flat, 'content-length');
  removeField(flat, 'accept-ranges');
  removeField(flat, 'content-md5');
  weakenEtag(flat);
  addListToken(flat, 'vary', 'Accept-Encoding');
}

/** Add `Vary: Accept-Encoding` (an eligible response sent uncompressed to this client). */
export function varyOnEncoding(flat: string[]): void {
  addListToken(flat, 'vary', 'Accept-Encoding');
}

/** Levels for on-the-fly compression: fast settings (a cached variant is compressed once, dynamic ones on every request). */
export const LEVELS = { br: 4, zstd: 3, gzip: 6 } as const;

/** A streaming compressor for `coding`. `sizeHint` (the body length when known) helps brotli size its window. */
export function createCompressor(coding: ContentCoding, sizeHint?: number): Transform {
  switch (coding) {
    case 'br': {
      const params: Record<number, number> = {
        [constants.BROTLI_PARAM_QUALITY]: LEVELS.br,
        [constants.BROTLI_PARAM_LGWIN]: 20,
      };
      if (sizeHint !== undefined && sizeHint > 0) params[constants.BROTLI_PARAM_SIZE_HINT] = sizeHint;
      return createBrotliCompress({ params });
    }
    case 'zstd':
      return createZstdCompress({ params: { [constants.ZSTD_c_compressionLevel]: LEVELS.zstd } });
    case 'gzip':
      return createGzip({ level: LEVELS.gzip });
  }
}

/** Flush what a compressor holds so far (a sync flush: the client can decode everything written up to now). */
export function flushCompressor(coding: ContentCoding, z: Transform): void {
  const f = (z as Transform & { flush(kind?: number, cb?: () => void): void }).flush.bind(z);
  if (coding === 'br') f(constants.BROTLI_OPERATION_FLUSH);
  else if (coding === 'zstd') f(constants.ZSTD_e_flush);
  else f(constants.Z_SYNC_FLUSH);
}
