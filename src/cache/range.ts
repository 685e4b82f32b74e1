/** Range requests served from a stored full object (RFC 9110 §14), and HEAD from a stored GET. */
import type { ByteRange, CacheEntryMeta } from '../state/cache-store.ts';
import { getHeader, parseHttpDate } from './policy/headers.ts';
import type { HeaderMap } from './policy/headers.ts';

export type RangeResult =
  /** Serve the whole stored response (no Range, not satisfiable as a single range, If-Range mismatch, not a 200). */
  | { readonly kind: 'full' }
  /** 206 with the headers to add (Content-Range, Content-Length); stream `range` of the body. */
  | { readonly kind: 'partial'; readonly status: 206; readonly range: ByteRange; readonly headers: Readonly<Record<string, string>> }
  /** 416 with Content-Range: bytes *\/size. */
  | { readonly kind: 'unsatisfiable'; readonly status: 416; readonly headers: Readonly<Record<string, string>> };

/** Parse `bytes=a-b` / `bytes=a-` / `bytes=-n` against a size. Multiple ranges → 'multi'; junk → 'invalid'. */
export function parseRange(header: string, size: number): ByteRange | 'unsatisfiable' | 'invalid' | 'multi' {
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (m === null || m[1] === undefined) return 'invalid';
  const specs = m[1].split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length === 0) return 'invalid';
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const r = /^(\d*)\s*-\s*(\d*)$/.exec(spec);
    if (r === null || (r[1] === '' && r[2] === '')) return 'invalid';
    if (r[1] === '') {
      const n = Number(r[2]);
      if (n === 0) continue;
      ranges.push({ start: Math.max(0, size - n), end: size - 1 });
    } else {
      const start = Number(r[1]);
      const end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
      if (r[2] !== '' && Number(r[2]) < start) return 'invalid';
      if (start >= size) continue;
      ranges.push({ start, end });
    }
  }
  if (ranges.length === 0) return 'unsatisfiable';
  if (ranges.length > 1) return 'multi';
  return ranges[0] ?? 'invalid';
}

function ifRangeMatches(ifRange: string, headers: HeaderMap): boolean {
  const v = ifRange.trim();
  if (v.startsWith('"') || v.startsWith('W/')) {
    const etag = getHeader(headers, 'etag')?.trim();
    return !v.startsWith('W/') && etag !== undefined && !etag.startsWith('W/') && etag === v; // strong comparison
  }
  const date = parseHttpDate(v);
  const lm = parseHttpDate(getHeader(headers, 'last-modified'));
  return date !== undefined && lm !== undefined && date === lm;
}

/**
 * Answer a Range request from a stored full (200) response. Multiple ranges are answered with the full object
 * (allowed: a server may ignore Range), which avoids multipart/byteranges amplification.
 */
export function serveRange(meta: Pick<CacheEntryMeta, 'status' | 'headers' | 'size'>, rangeHeader: string | undefined, ifRange?: string): RangeResult {
  if (rangeHeader === undefined || meta.status !== 200) return { kind: 'full' };
  if (ifRange !== undefined && !ifRangeMatches(ifRange, meta.headers)) return { kind: 'full' };
  const r = parseRange(rangeHeader, meta.size);
  if (r === 'invalid' || r === 'multi') return { kind: 'full' };
  if (r === 'unsatisfiable') return { kind: 'unsatisfiable', status: 416, headers: { 'content-range': `bytes */${meta.size}` } };
  return {
    kind: 'partial', status: 206, range: r,
    headers: { 'content-range': `bytes ${r.start}-${r.end}/${meta.size}`, 'content-length': String(r.end - r.start + 1) },
  };
}

/** Status and headers for a HEAD answered from a stored GET (no body; Content-Length kept from the GET). */
export function headFromGet(meta: Pick<CacheEntryMeta, 'status' | 'headers' | 'size'>): { status: number; headers: Record<string, string | string[]> } {
  const headers: Record<string, string | string[]> = { ...meta.headers };
  if (headers['content-length'] === undefined) headers['content-length'] = String(meta.size);
  return { status: meta.status, headers };
}
