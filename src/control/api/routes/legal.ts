/** Legal orders (/client/v4/legal/orders), their notices, and the transparency report (/client/v4/transparency). */
import type { LegalService } from '../../services/legal.ts';
import { publicNotice } from '../../services/legal.ts';
import type { Router } from '../router.ts';

/** `chainHead(endMs)`: the signed audit-chain head to quote at the end of a report's period. */
export function registerLegalRoutes(r: Router, legal: LegalService, onRecorded?: (o: Awaited<ReturnType<LegalService['create']>>) => void, chainHead?: (endMs: number) => Promise<unknown>): void {
  r.add({ method: 'GET', path: '/client/v4/legal/orders', auth: 'token', summary: 'Legal orders, oldest first (?zone=NAME)',
    handler: async (q) => {
      const zone = q.query.get('zone');
      const list = await legal.list(zone === null ? {} : { zone });
      return { kind: 'json', result: list.map((o) => ({ ...o, in_force: publicNotice(o, legal.now()).in_force })), resultInfo: { count: list.length } };
    } });
  r.add({ method: 'POST', path: '/client/v4/legal/orders', auth: 'token',
    summary: 'Record a legal order {zone, court, case, date, jurisdiction, document_base64, document_name?, paths?, hostnames?, geo?, expires?}; its scope answers 451',
    handler: async (q) => { const o = await legal.create(q.body); onRecorded?.(o); return { kind: 'json', result: o }; } });
  r.add({ method: 'GET', path: '/client/v4/legal/orders/:id', auth: 'token', summary: 'One legal order',
    handler: async (q) => {
      const o = await legal.get(q.params['id']!);
      return { kind: 'json', result: { ...o, in_force: publicNotice(o, legal.now()).in_force } };
    } });
  r.add({ method: 'POST', path: '/client/v4/legal/orders/:id/lift', auth: 'token', summary: 'Lift a legal order {reason} (the record stays, status lifted)',
    handler: async (q) => ({ kind: 'json', result: await legal.lift(q.params['id']!, q.body) }) });
  r.add({ method: 'POST', path: '/client/v4/legal/orders/:id/contest', auth: 'token', summary: 'Record that the order is contested {note}; it stays in force (complied with while contested)',
    handler: async (q) => ({ kind: 'json', result: await legal.contest(q.params['id']!, q.body) }) });
  r.add({ method: 'GET', path: '/client/v4/legal/notices/:id', auth: 'token', summary: 'The public notice of an order (court, case, date, scope; no document, nothing personal)',
    handler: async (q) => ({ kind: 'json', result: publicNotice(await legal.get(q.params['id']!), legal.now()) }) });
  r.add({ method: 'GET', path: '/client/v4/legal/data-requests', auth: 'token', summary: 'Requests for user data received (authority, date, jurisdiction, outcome)',
    handler: async () => { const l = await legal.listDataRequests(); return { kind: 'json', result: l, resultInfo: { count: l.length } }; } });
  r.add({ method: 'POST', path: '/client/v4/legal/data-requests', auth: 'token', summary: 'Record a request for user data {authority, case?, date, jurisdiction[], zones?, outcome?, note?}',
    handler: async (q) => ({ kind: 'json', result: await legal.createDataRequest(q.body) }) });
  r.add({ method: 'PATCH', path: '/client/v4/legal/data-requests/:id', auth: 'token', summary: 'Record the answer to a data request {outcome: pending|disclosed|partially_disclosed|refused|no_data, note?}',
    handler: async (q) => ({ kind: 'json', result: await legal.answerDataRequest(q.params['id']!, q.body) }) });
  r.add({ method: 'GET', path: '/client/v4/transparency', auth: 'token', summary: 'Transparency report (?period=2026-H2|2026-Q3|2026-11|2026): legal orders by jurisdiction and authority, public notices',
    handler: async (q) => {
      const now = new Date(legal.now());
      const period = q.query.get('period') ?? `${now.getUTCFullYear()}-H${now.getUTCMonth() < 6 ? 1 : 2}`;
      const report = await legal.report(period);
      return { kind: 'json', result: chainHead ? { ...report, audit_chain_head: await chainHead(Date.parse(report.to)) } : report };
    } });
}
