/**
 * What one request contributes to analytics, built from the edge's RequestContext in the log phase.
 * Type-only import of the context: this folder does not depend on the edge at run time.
 */
import type { RequestContext, PhaseRecord } from '../edge/pipeline/context.ts';

/** Which security feature stopped (blocked or challenged) the request. */
export type ThreatKind = 'waf' | 'firewall' | 'ratelimit' | 'challenge' | 'access' | 'mitigation' | 'reputation';
export const THREAT_KINDS: readonly ThreatKind[] = ['waf', 'firewall', 'ratelimit', 'challenge', 'access', 'mitigation', 'reputation'];

export interface AnalyticsSample {
  readonly zoneId: string;
  /** ms since the epoch. */
  readonly time: number;
  readonly status: number;
  readonly bytesOut: number;
  /** Served from the edge cache (a stored copy: HIT, STALE, or stale on origin error). */
  readonly cached: boolean;
  /** A page view: a 2xx answer to a GET a browser made for a document (Sec-Fetch-Dest: document, else Accept: text/html). */
  readonly pageview: boolean;
  readonly threat: ThreatKind | null;
  readonly clientIp: string;
  /** Without the query string, at most 256 characters. */
  readonly path: string;
  /** ISO 3166 code, 'XX' unknown, or null. */
  readonly country: string | null;
  readonly asn: number | null;
  /** At most 256 characters. */
  readonly userAgent: string;
}

const MAX_TEXT = 256;

const PHASE_THREAT: Readonly<Record<string, ThreatKind>> = {
  'waf': 'waf', 'firewall-rules': 'firewall', 'rate-limit': 'ratelimit', 'access-rules': 'access', 'reputation': 'reputation', 'challenge': 'challenge',
};
const PREFIX_THREAT: ReadonlyArray<readonly [string, ThreatKind]> = [
  ['waf.', 'waf'], ['firewall.', 'firewall'], ['ratelimit.', 'ratelimit'], ['access.', 'access'], ['reputation.', 'reputation'], ['mitigation.', 'mitigation'], ['auto.', 'mitigation'],
];

/**
 * The threat kind of the verdict that ended the request, or null (passed, served from cache, legal notice,
 * origin error). Challenges: the automatic ones (security level, Under Attack) are 'mitigation'; a challenge a
 * rule asked for, or a failed answer, is 'challenge'; a solved challenge is not a threat.
 */
export function threatOf(final: PhaseRecord | undefined): ThreatKind | null {
  if (final === undefined) return null;
  const v = final.verdict;
  if (v.kind === 'continue' || v.kind === 'served') return null;
  const reason = v.reason;
  if (reason.startsWith('challenge.')) {
    if (reason === 'challenge.solved') return null;
    if (reason === 'challenge.security_level' || reason === 'challenge.under_attack') return 'mitigation';
    return 'challenge';
  }
  if (v.kind === 'challenge' || reason.endsWith('.challenge')) return 'challenge';
  for (const [p, k] of PREFIX_THREAT) if (reason.startsWith(p)) return k;
  return PHASE_THREAT[final.phase] ?? null;
}

/** Served from a stored copy: the cache phase answered (cache.hit, cache.stale) or served stale on an origin error. */
export function servedFromCache(ctx: RequestContext): boolean {
  const f = ctx.final;
  if (f !== undefined && f.verdict.kind === 'served' && f.verdict.reason.startsWith('cache.')) return true;
  const m = ctx.matched;
  for (let i = 0; i < m.length; i++) { const s = m[i]!; if (s.startsWith('cache:') && s.endsWith(':stale')) return true; }
  return false;
}

/**
 * Response headers are written with writeHead (not readable back), so a page view is judged from the request:
 * a GET answered 2xx whose request was a browser navigation.
 */
export function isPageview(ctx: RequestContext, status: number): boolean {
  if (status < 200 || status >= 300) return false;
  const req = ctx.req;
  if (req.method !== 'GET') return false;
  const dest = req.headers['sec-fetch-dest'];
  if (typeof dest === 'string') return dest === 'document';
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

/** The sample for a finished request, or undefined when no zone answered it (unknown host). */
export function sampleFromContext(ctx: RequestContext, now: number): AnalyticsSample | undefined {
  const zone = ctx.zone;
  if (zone === undefined) return undefined;
  const res = ctx.res;
  const req = ctx.req;
  const status = res.statusCode;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  if (path.length > MAX_TEXT) path = path.slice(0, MAX_TEXT);
  let ua = req.headers['user-agent'] ?? '';
  if (ua.length > MAX_TEXT) ua = ua.slice(0, MAX_TEXT);
  const country = ctx.notes.get('country');
  const asn = ctx.notes.get('asn');
  return {
    zoneId: zone.id, time: now, status, bytesOut: ctx.bytesOut, cached: servedFromCache(ctx), pageview: isPageview(ctx, status), threat: threatOf(ctx.final), clientIp: ctx.clientIp,
    path, country: typeof country === 'string' && country !== '' ? country.toUpperCase() : null,
    asn: typeof asn === 'number' && Number.isSafeInteger(asn) ? asn : null, userAgent: ua,
  };
}
