/**
 * The log phase: always runs once the exchange is over. One JSON access line per request (ray, zone, client,
 * method, path, status, bytes, origin status and time, every non-continue verdict) and the request metrics.
 * No header values but the User-Agent, never cookies or credentials.
 */
import type { Phase } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import type { AccessLog } from '../../../telemetry/logger.ts';
import type { EdgeMetrics } from '../../../telemetry/metrics.ts';
import type { SecurityEventRecorder } from '../../events.ts';
import type { WafNote } from '../waf/index.ts';

export function verdictLabel(ctx: RequestContext): string {
  const f = ctx.final;
  if (f === undefined) return ctx.errorCode ?? 'pass';
  return f.verdict.kind === 'continue' ? 'pass' : f.verdict.reason;
}

export function createLogPhase(deps: { accessLog: AccessLog; metrics: EdgeMetrics; nodeId: string; events?: SecurityEventRecorder | undefined }): Phase {
  return {
    name: 'log',
    onLog(ctx: RequestContext): void {
      const status = ctx.res.statusCode;
      const verdict = verdictLabel(ctx);
      deps.metrics.countRequest(ctx.zone?.name ?? '-', status, verdict);
      deps.events?.record(ctx);
      const waf = ctx.notes.get('waf') as WafNote | undefined;
      const req = ctx.req;
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      deps.accessLog.write({
        time: new Date().toISOString(),
        ray: ctx.ray,
        node: deps.nodeId,
        zone: ctx.zone?.name ?? null,
        client_ip: ctx.clientIp,
        proto: req.httpVersionMajor === 2 ? 'HTTP/2' : 'HTTP/1.1',
        tls: ctx.tls,
        method: req.method,
        host: ctx.host,
        path: q < 0 ? url : url.slice(0, q),
        query: q < 0 ? '' : url.slice(q + 1, q + 1 + 512),
        status,
        bytes: ctx.bytesOut,
        duration_ms: Math.round((performance.now() - ctx.start) * 1000) / 1000,
        origin: ctx.originAddress ?? null,
        origin_status: ctx.originStatus || null,
        origin_ms: ctx.originMs >= 0 ? Math.round(ctx.originMs * 1000) / 1000 : null,
        verdict,
        verdicts: ctx.verdicts.map((r) => ({ phase: r.phase, kind: r.verdict.kind, reason: 'reason' in r.verdict ? r.verdict.reason : undefined, rule: 'ruleId' in r.verdict ? r.verdict.ruleId : undefined })),
        matched: ctx.matched.length ? ctx.matched : undefined,
        waf: waf === undefined ? undefined : { score: waf.inbound, rules: waf.matches.map((m) => m.id), budget_exceeded: waf.budgetExceeded || undefined },
        error: ctx.errorCode ?? null,
        error_detail: ctx.errorDetail ?? null,
        ua: (req.headers['user-agent'] ?? '').slice(0, 256),
      });
    },
  };
}
