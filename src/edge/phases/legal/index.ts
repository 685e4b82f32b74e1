/**
 * The legal phase (first of all phases): a request inside the scope of a legal order in force answers
 * 451 Unavailable For Legal Reasons (RFC 7725) with `Link: <notice>; rel="blocked-by"` and a page naming the
 * authority, the case and the date. Orders are zone-owned config docs of kind 'legal_order' (see
 * src/control/services/legal.ts). Everything outside an order's scope continues normally.
 */
import { z } from 'zod';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import { zoneCache } from '../zone-cache.ts';

export const LEGAL_ORDER_KIND = 'legal_order';

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s + 'T00:00:00Z')) && new Date(s + 'T00:00:00Z').toISOString().startsWith(s), 'not a calendar date');

export const LegalOrderSchema = z.object({
  id: z.string().min(1),
  zone_id: z.string().min(1),
  zone: z.string().min(1),
  court: z.string().trim().min(1).max(300),
  case: z.string().trim().min(1).max(200),
  date: DATE,
  jurisdiction: z.array(z.string().regex(/^[A-Z]{2}$/, 'expected ISO 3166-1 alpha-2 country codes (DE, FR, ...)')).min(1),
  document: z.object({ name: z.string().max(200), sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative() }).strict(),
  /** Empty hostnames and empty paths: the whole zone. */
  hostnames: z.array(z.string().min(1).max(253)).max(100).default([]),
  /** URL path prefixes (segment boundary: /a covers /a and /a/b, not /ab). */
  paths: z.array(z.string().startsWith('/', 'a path starts with /').max(2048)).max(1000).default([]),
  /** Apply only to clients whose country is known to be one of the jurisdiction's. */
  geo: z.boolean().default(false),
  /** Last day (UTC, inclusive) the order applies; null: until lifted. */
  expires: DATE.nullable().default(null),
  status: z.enum(['in_force', 'lifted']),
  received_at: z.string(),
  lifted_at: z.string().nullable().default(null),
  lift_reason: z.string().nullable().default(null),
}).strict();
export type LegalOrder = z.infer<typeof LegalOrderSchema>;

/** Whether the order applies at `now` (ms since the epoch): not lifted and not past its expiry day. */
export function orderInForce(o: LegalOrder, now: number): boolean {
  if (o.status !== 'in_force') return false;
  if (o.expires === null) return true;
  return now < Date.parse(o.expires + 'T00:00:00Z') + 86_400_000;
}

const UNRESERVED = /%([0-9A-Fa-f]{2})/g;
/** The path as the origin will see it: query dropped, unreserved %XX decoded, dot segments and // resolved. */
export function normalisePath(rawUrl: string): string {
  let p = rawUrl;
  const q = p.indexOf('?'); if (q >= 0) p = p.slice(0, q);
  const h = p.indexOf('#'); if (h >= 0) p = p.slice(0, h);
  if (!p.startsWith('/')) p = '/' + p;
  p = p.replace(UNRESERVED, (m, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : m.toUpperCase();
  });
  p = p.replace(/\/{2,}/g, '/');
  try { p = new URL(p, 'http://x').pathname; } catch { /* keep */ }
  return p;
}

function pathCovered(prefix: string, path: string): boolean {
  if (prefix === '/' || path === prefix) return true;
  return path.startsWith(prefix.endsWith('/') ? prefix : prefix + '/');
}

/** Whether a request (host, normalised path, client country if known) is inside the order's scope. */
export function orderCovers(o: LegalOrder, host: string, path: string, country: string | undefined): boolean {
  if (o.hostnames.length && !o.hostnames.includes(host.toLowerCase())) return false;
  if (o.paths.length && !o.paths.some((p) => pathCovered(p, path))) return false;
  if (o.geo && (country === undefined || !o.jurisdiction.includes(country.toUpperCase()))) return false;
  return true;
}

/** The first order in force covering the request, or undefined. */
export function findOrder(orders: readonly LegalOrder[], host: string, rawUrl: string, country: string | undefined, now: number): LegalOrder | undefined {
  const path = normalisePath(rawUrl);
  return orders.find((o) => orderInForce(o, now) && orderCovers(o, host, path, country));
}

/** Where the public notice of an order is: RAMPART_OPERATOR_URL (default the admin API) + the notice path. */
/** Public notices are served by the edge itself, on the zone's own hostname, at this path. */
export const NOTICE_PATH = '/.rampart/legal/notices/';

/**
 * Where the public notice of an order is: RAMPART_OPERATOR_URL (the operator's own notice site) + /notices/ID, else
 * the edge's own notice path on the same host (a relative reference, as RFC 8288 allows).
 */
export function noticeUrl(base: string | undefined, id: string): string {
  return base === undefined ? NOTICE_PATH + encodeURIComponent(id) : `${base.replace(/\/+$/, '')}/notices/${encodeURIComponent(id)}`;
}

/** The public notice of an order (no personal data: authority, case, date, jurisdiction, scope, status). */
export function noticeResponse(o: LegalOrder, accept: string | undefined, now: number): Verdict {
  const inForce = orderInForce(o, now);
  const wantsJson = accept !== undefined && /application\/(?:[\w.+-]*\+)?json/i.test(accept) && !/text\/html/i.test(accept);
  const notice = { id: o.id, authority: o.court, case: o.case, date: o.date, jurisdiction: o.jurisdiction, scope: { hostnames: o.hostnames, paths: o.paths, geo: o.geo }, status: inForce ? 'in_force' : o.status === 'lifted' ? 'lifted' : 'expired', lifted_at: o.lifted_at, document_sha256: o.document.sha256 };
  if (wantsJson) return { kind: 'respond', status: 200, reason: 'legal.notice', body: JSON.stringify(notice) + '\n', contentType: 'application/json; charset=utf-8', headers: { 'cache-control': 'public, max-age=300' } };
  const scope = o.paths.length ? `paths ${o.paths.join(', ')}` : o.hostnames.length ? `hostnames ${o.hostnames.join(', ')}` : 'the whole site';
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Legal notice ${esc(o.case)}</title></head><body>
<h1>Notice of a legal order</h1>
<p>Part of this site is unavailable in response to the order below. The operator records every order it complies with
and publishes this notice; the order's document is identified by its SHA-256.</p>
<dl><dt>Authority</dt><dd>${esc(o.court)}</dd><dt>Case</dt><dd>${esc(o.case)}</dd><dt>Date</dt><dd>${esc(o.date)}</dd>
<dt>Jurisdiction</dt><dd>${esc(o.jurisdiction.join(', '))}</dd><dt>Scope</dt><dd>${esc(scope)}${o.geo ? ' (only for visitors from the jurisdiction)' : ''}</dd>
<dt>Status</dt><dd>${esc(notice.status)}</dd><dt>Document SHA-256</dt><dd><code>${esc(o.document.sha256)}</code></dd></dl>
</body></html>\n`;
  return { kind: 'respond', status: 200, reason: 'legal.notice', body, contentType: 'text/html; charset=utf-8', headers: { 'cache-control': 'public, max-age=300' } };
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The 451 answer for an order: HTML for browsers, JSON for API clients. */
export function blockedResponse(o: LegalOrder, notice: string, accept: string | undefined, ray: string): Verdict {
  const headers = { link: `<${notice}>; rel="blocked-by"` };
  const wantsJson = accept !== undefined && /application\/(?:[\w.+-]*\+)?json/i.test(accept) && !/text\/html/i.test(accept);
  if (wantsJson) {
    const body = JSON.stringify({ success: false, errors: [{ code: 451, message: 'Unavailable For Legal Reasons' }], legal_order: { authority: o.court, case: o.case, date: o.date, jurisdiction: o.jurisdiction, notice }, ray });
    return { kind: 'respond', status: 451, reason: 'legal.order', ruleId: o.id, headers, body, contentType: 'application/json; charset=utf-8' };
  }
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>451 Unavailable For Legal Reasons</title></head><body>
<h1>451 Unavailable For Legal Reasons</h1>
<p>This content is not available here because of a legal order.</p>
<dl><dt>Authority</dt><dd>${esc(o.court)}</dd><dt>Case</dt><dd>${esc(o.case)}</dd><dt>Date</dt><dd>${esc(o.date)}</dd><dt>Jurisdiction</dt><dd>${esc(o.jurisdiction.join(', '))}</dd></dl>
<p>Public notice: <a href="${esc(notice)}">${esc(notice)}</a></p>
<p><small>Ray ${esc(ray)}</small></p>
</body></html>\n`;
  return { kind: 'respond', status: 451, reason: 'legal.order', ruleId: o.id, headers, body, contentType: 'text/html; charset=utf-8' };
}

export interface LegalPhaseDeps {
  readonly now: () => number;
  /** Base URL of the operator's public notices (RAMPART_OPERATOR_URL); undefined = served by the edge. */
  readonly operatorUrl: string | undefined;
  readonly onError: (zone: string, err: unknown) => void;
}

export function operatorUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env['RAMPART_OPERATOR_URL'] || undefined;
}

export function createLegalPhase(d: LegalPhaseDeps): Phase {
  const ordersOf = zoneCache<LegalOrder[]>(LEGAL_ORDER_KIND, (docs, zone) => {
    const out: LegalOrder[] = [];
    for (const doc of docs) {
      const r = LegalOrderSchema.safeParse(doc.data);
      if (r.success) out.push(r.data); else d.onError(zone.name, new Error(`legal order ${doc.id}: ${r.error.issues[0]?.message ?? 'invalid'}`));
    }
    return out;
  });
  return {
    name: 'legal',
    onRequest(ctx: RequestContext): Verdict {
      if (ctx.zone === undefined) return CONTINUE;
      const orders = ordersOf(ctx.zone);
      if (orders.length === 0) return CONTINUE;
      const url = ctx.req.url ?? '/';
      if (url.startsWith(NOTICE_PATH)) {
        let id = '';
        try { id = decodeURIComponent(url.slice(NOTICE_PATH.length).split(/[?#]/)[0] ?? ''); } catch { /* malformed: no such notice */ }
        const o = orders.find((x) => x.id === id);
        if (o !== undefined) return noticeResponse(o, ctx.req.headers.accept, d.now());
      }
      const o = findOrder(orders, ctx.host, ctx.req.url ?? '/', ctx.notes.get('country') as string | undefined, d.now());
      if (o === undefined) return CONTINUE;
      return blockedResponse(o, noticeUrl(d.operatorUrl, o.id), ctx.req.headers.accept, ctx.ray);
    },
  };
}
