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

let isoMs = 0;
let isoText = '';
/** The ISO timestamp, formatted at most once per millisecond. */
function isoNow(): string {
  const t = Date.now();
  if (t !== isoMs) { isoMs = t; isoText = new Date(t).toISOString(); }
  return isoText;
}

export function createLogPhase(opts: { accessLog: AccessLog; metrics: EdgeMetrics; nodeId: string; events?: SecurityEventRecorder | undefined }): Phase {
  const deps = { ...opts, nodeIdJson: JSON.stringify(opts.nodeId) };
  return {
    name: 'log',
    onLog(ctx: RequestContext): void {
      const status = ctx.res.statusCode;
      const verdict = verdictLabel(ctx);
      deps.metrics.countRequest(ctx.zone?.name ?? '-', status, verdict);
      deps.events?.record(ctx);
      if (!deps.accessLog.enabled) return;
      const waf = ctx.notes.get('waf') as WafNote | undefined;
      const req = ctx.req;
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      // Built as a string in one pass (no intermediate object, no JSON.stringify of the whole line): this runs
      // for every request. Strings that come from the client go through JSON.stringify; the rest are ours.
      const ua = req.headers['user-agent'];
      let line = '{"time":"' + isoNow() + '","ray":"' + ctx.ray + '","node":' + deps.nodeIdJson
        + ',"zone":' + (ctx.zone === undefined ? 'null' : ctx.zone.nameJson)
        + ',"client_ip":"' + ctx.clientIp + '","proto":"' + (req.httpVersionMajor === 2 ? 'HTTP/2' : 'HTTP/1.1') + '","tls":' + ctx.tls
        + ',"method":' + JSON.stringify(req.method ?? '') + ',"host":' + JSON.stringify(ctx.host)
        + ',"path":' + JSON.stringify(q < 0 ? url : url.slice(0, q)) + ',"query":' + JSON.stringify(q < 0 ? '' : url.slice(q + 1, q + 1 + 512))
        + ',"status":' + status + ',"bytes":' + ctx.bytesOut + ',"duration_ms":' + (Math.round((performance.now() - ctx.start) * 1000) / 1000)
        + ',"origin":' + (ctx.originAddress === undefined ? 'null' : '"' + ctx.originAddress + '"')
        + ',"origin_status":' + (ctx.originStatus || 'null') + ',"origin_ms":' + (ctx.originMs >= 0 ? Math.round(ctx.originMs * 1000) / 1000 : 'null')
        + ',"verdict":' + JSON.stringify(verdict);
      if (ctx.verdicts.length) line += ',"verdicts":' + JSON.stringify(ctx.verdicts.map((r) => ({ phase: r.phase, kind: r.verdict.kind, reason: 'reason' in r.verdict ? r.verdict.reason : undefined, rule: 'ruleId' in r.verdict ? r.verdict.ruleId : undefined })));
      if (ctx.matched.length) line += ',"matched":' + JSON.stringify(ctx.matched);
      if (waf !== undefined) line += ',"waf":' + JSON.stringify({ score: waf.inbound, rules: waf.matches.map((m) => m.id), budget_exceeded: waf.budgetExceeded || undefined });
      if (ctx.errorCode !== undefined) line += ',"error":' + JSON.stringify(ctx.errorCode) + ',"error_detail":' + JSON.stringify(ctx.errorDetail ?? null);
      line += ',"ua":' + (ua === undefined ? '""' : JSON.stringify(ua.length > 256 ? ua.slice(0, 256) : ua)) + '}\n';
      deps.accessLog.writeLine(line);
    },
  };
}
