/** The audit log: paged entries (/client/v4/audit/log) and the whole chain as JSON lines (/client/v4/audit/export). */
import type { AuditLog } from '../../../state/ports.ts';
import type { Router } from '../router.ts';
import { ApiError, API_CODES } from '../errors.ts';

function intParam(q: URLSearchParams, name: string, dflt: number, max: number): number {
  const v = q.get(name);
  if (v === null) return dflt;
  if (!/^\d+$/.test(v)) throw new ApiError(400, API_CODES.validation, `query.${name}: "${v}" is not a whole number`);
  return Math.min(Number(v), max);
}

export function registerAuditRoutes(r: Router, log: AuditLog): void {
  r.add({ method: 'GET', path: '/client/v4/audit/log', auth: 'token', summary: 'Audit log entries in order (?after=SEQ&limit=N, at most 1000)',
    handler: async (q) => {
      const after = intParam(q.query, 'after', 0, Number.MAX_SAFE_INTEGER);
      const limit = intParam(q.query, 'limit', 100, 1000);
      const list = await log.list(after, limit);
      return { kind: 'json', result: list, resultInfo: { count: list.length, total_count: await log.count(), next_after: list.at(-1)?.seq ?? after } };
    } });
  r.add({ method: 'GET', path: '/client/v4/audit/export', auth: 'token', summary: 'The whole audit log as JSON lines (one entry per line), for `rampart audit verify`',
    handler: async () => {
      const parts: string[] = [];
      let after = 0;
      for (;;) {
        const page = await log.list(after, 1000);
        for (const e of page) parts.push(JSON.stringify(e) + '\n');
        if (page.length < 1000) break;
        after = page.at(-1)!.seq;
      }
      return { kind: 'raw', status: 200, contentType: 'application/x-ndjson; charset=utf-8', body: parts.join('') };
    } });
}
