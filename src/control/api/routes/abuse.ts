/**
 * Abuse reports for the operator (/client/v4/abuse/reports): list (?zone=, ?status=, ?since=, ?limit=), one report
 * with everything recorded (reporter, forwards, history with notes), status changes, and forwarding again. Operator-only (the admin
 * token): reports hold reporters' personal data. The public side is the edge's form (src/edge/abuse/).
 */
import type { AbuseService } from '../../services/abuse.ts';
import type { Router } from '../router.ts';

export function registerAbuseRoutes(r: Router, abuse: AbuseService): void {
  r.add({ method: 'GET', path: '/client/v4/abuse/reports', auth: 'token', summary: 'Abuse reports, newest first (?zone=NAME, ?status=received|forwarded|closed, ?since=ISO, ?limit=1..1000)',
    handler: async (q) => {
      const get = (k: string): string | undefined => q.query.get(k) ?? undefined;
      const list = await abuse.list({ zone: get('zone'), status: get('status'), since: get('since'), limit: get('limit') });
      return { kind: 'json', result: list, resultInfo: { count: list.length } };
    } });
  r.add({ method: 'GET', path: '/client/v4/abuse/reports/:ticket', auth: 'token', summary: 'One abuse report: what was reported, by whom, forwarding outcomes and status history',
    handler: async (q) => ({ kind: 'json', result: await abuse.get(q.params['ticket']!) }) });
  r.add({ method: 'POST', path: '/client/v4/abuse/reports/:ticket/forward', auth: 'token', summary: 'Forward a report again to every recipient that has not had it (e.g. after RAMPART_SMTP_URL was set); answers the report',
    handler: async (q) => ({ kind: 'json', result: await abuse.forwardAgain(q.params['ticket']!) }) });
  r.add({ method: 'POST', path: '/client/v4/abuse/reports/:ticket/status', auth: 'token', summary: 'Set a report\'s status {status: received|forwarded|closed, note} (a note is required to close)',
    handler: async (q) => ({ kind: 'json', result: await abuse.setStatus(q.params['ticket']!, q.body) }) });
}
