/**
 * The request headers sent to the origin: the client's, minus hop-by-hop fields (and those named in Connection),
 * minus HTTP/2 pseudo-headers, plus X-Forwarded-For (appended), X-Forwarded-Proto, Rampart-Connecting-IP,
 * Rampart-Ray and Via. Built as undici's flat [name, value, ...] array in one pass over rawHeaders.
 */
import { HOP_BY_HOP, connectionTokens } from '../../../lib/headers.ts';

export const VIA = '1.1 rampart';

// our own headers (a client must not spoof them) and Expect (the edge answered 100-continue itself)
const OWN = new Set(['rampart-connecting-ip', 'rampart-ray', 'x-forwarded-proto', 'expect']);

export function forwardHeaders(raw: readonly string[], clientIp: string, tls: boolean, ray: string, authority: string, hostOverride: string | undefined): string[] {
  const out: string[] = [];
  let xff: string | undefined;
  let via: string | undefined;
  let conn: string[] | undefined;
  let sawHost = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const c0 = name.charCodeAt(0);
    if (c0 === 58 /* : */) continue;
    const lower = name.toLowerCase();
    if (lower === 'connection') { (conn ??= []).push(raw[i + 1]!); continue; }
    if (HOP_BY_HOP.has(lower) || OWN.has(lower)) continue;
    if (lower === 'x-forwarded-for') { xff = xff === undefined ? raw[i + 1]! : xff + ', ' + raw[i + 1]!; continue; }
    if (lower === 'via') { via = via === undefined ? raw[i + 1]! : via + ', ' + raw[i + 1]!; continue; }
    if (lower === 'host') {
      if (sawHost) continue;
      sawHost = true;
      out.push('host', hostOverride ?? raw[i + 1]!);
      continue;
    }
    out.push(name, raw[i + 1]!);
  }
  if (conn !== undefined) {
    const drop = connectionTokens(conn);
    if (drop !== undefined) {
      for (let i = out.length - 2; i >= 0; i -= 2) if (drop.has(out[i]!.toLowerCase())) out.splice(i, 2);
    }
  }
  if (!sawHost) out.push('host', hostOverride ?? authority);
  out.push(
    'x-forwarded-for', xff === undefined ? clientIp : xff + ', ' + clientIp,
    'x-forwarded-proto', tls ? 'https' : 'http',
    'rampart-connecting-ip', clientIp,
    'rampart-ray', ray,
    'via', via === undefined ? VIA : via + ', ' + VIA,
  );
  return out;
}

/**
 * Response headers for the client from undici's raw Buffer pairs: hop-by-hop removed, ray and Via added.
 * Returned flat ([name, value, ...]) for node:http's writeHead.
 */
export function responseHeaders(raw: readonly Buffer[], ray: string): string[] {
  const out: string[] = [];
  let conn: string[] | undefined;
  let via: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const lower = name.toLowerCase();
    if (lower === 'connection') { (conn ??= []).push(raw[i + 1]!.toString('latin1')); continue; }
    if (HOP_BY_HOP.has(lower) || lower === 'rampart-ray') continue;
    if (lower === 'via') { via = via === undefined ? raw[i + 1]!.toString('latin1') : via + ', ' + raw[i + 1]!.toString('latin1'); continue; }
    out.push(name, raw[i + 1]!.toString('latin1'));
  }
  if (conn !== undefined) {
    const drop = connectionTokens(conn);
    if (drop !== undefined) for (let i = out.length - 2; i >= 0; i -= 2) if (drop.has(out[i]!.toLowerCase())) out.splice(i, 2);
  }
  out.push('via', via === undefined ? VIA : via + ', ' + VIA, 'rampart-ray', ray);
  return out;
}

/** Flat pairs → object (for HTTP/2 responses); repeated names become arrays. */
export function pairsToObject(flat: readonly string[]): Record<string, string | string[]> {
  const o: Record<string, string | string[]> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const k = flat[i]!.toLowerCase();
    const v = flat[i + 1]!;
    const prev = o[k];
    if (prev === undefined) o[k] = v; else if (Array.isArray(prev)) prev.push(v); else o[k] = [prev, v];
  }
  return o;
}
