/**
 * The legal phase (first of all phases): a request inside the scope of a legal order in force answers
 * 451 Unavailable For Legal Reasons (RFC 7725) with `Link: <notice>; rel="blocked-by"` and a page naming the
 * authority, the case and the date. Orders are zone-owned config docs of kind 'legal_order' (see
 * src/control/services/legal.ts). Everything outside an order's scope continues normally.
 */
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import { zoneCache } from '../zone-cache.ts';
import { LEGAL_ORDER_KIND, LegalOrderSchema, SUSPENSION_REASONS, findOrder, orderInForce } from '../../../config/legal.ts';
import type { LegalOrder, Suspension } from '../../../config/legal.ts';

export { LEGAL_ORDER_KIND, LegalOrderSchema, orderInForce, normalisePath, orderCovers, findOrder } from '../../../config/legal.ts';
export type { LegalOrder } from '../../../config/legal.ts';


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

/**
 * A zone suspended for one of the fixed operational reasons: 503 naming the reason (never content: that is a 451).
 * Not cached; no Retry-After (the suspension lasts until the operator lifts it).
 */
export function suspendedResponse(s: Suspension, accept: string | undefined, ray: string): Verdict {
  const why = SUSPENSION_REASONS[s.reason];
  const headers = { 'cache-control': 'no-store' };
  const wantsJson = accept !== undefined && /application\/(?:[\w.+-]*\+)?json/i.test(accept) && !/text\/html/i.test(accept);
  if (wantsJson) {
    const body = JSON.stringify({ success: false, errors: [{ code: 1523, message: 'This site is suspended' }], suspension: { reason: s.reason, explanation: why, since: s.since }, ray });
    return { kind: 'respond', status: 503, reason: 'zone.suspended', headers, body, contentType: 'application/json; charset=utf-8' };
  }
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Site suspended</title></head><body>
<h1>This site is suspended</h1>
<p>The service protecting this site has suspended it because ${esc(why)} (since ${esc(s.since.slice(0, 10))}).</p>
<p>Sites are never suspended for what they publish; that would take a legal order, and would be shown as such.</p>
<p><small>Ray ${esc(ray)}</small></p>
</body></html>\n`;
  return { kind: 'respond', status: 503, reason: 'zone.suspended', headers, body, contentType: 'text/html; charset=utf-8' };
}

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
      const suspension = ctx.zone.zone.suspension;
      if (suspension !== undefined && !(orders.length > 0 && (ctx.req.url ?? '').startsWith(NOTICE_PATH))) return suspendedResponse(suspension, ctx.req.headers.accept, ctx.ray);
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
