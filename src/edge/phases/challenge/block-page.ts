/**
 * Issue 6 (docs/bots-and-origin.md): the zone's own block page. Wraps a request phase so that a block it returns
 * (a `respond` 403 or 429 without a body: access rule, firewall rule, WAF, rate limit, hotlink) is answered with
 * the zone's `settings.templates.block` instead of the built-in page, with a per-response CSP nonce. Clients that
 * want JSON keep the JSON error body; zones without a template are untouched (the verdict object is returned as is).
 */
import type { Random } from '../../../lib/clock.ts';
import { renderBlockPage, wantsJson } from '../../../mitigation/index.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';

function templated(ctx: RequestContext, v: Verdict, random: Random): Verdict {
  if (v.kind !== 'respond' || v.body !== undefined || (v.status !== 403 && v.status !== 429)) return v;
  const template = ctx.zone?.settings.templates?.block;
  if (template === undefined || wantsJson(ctx.req.headers.accept)) return v;
  const page = renderBlockPage({ template, status: v.status, reason: v.reason, rayId: ctx.ray, siteName: ctx.host, cspNonce: random.bytes(16).toString('base64') });
  return { ...v, body: page.body, headers: { ...page.headers, ...v.headers }, contentType: page.headers['content-type'] ?? 'text/html; charset=utf-8' };
}

export function withBlockTemplate(phase: Phase, random: Random): Phase {
  const run = phase.onRequest;
  if (run === undefined) return phase;
  return {
    ...phase,
    onRequest(ctx) {
      const v = run.call(phase, ctx);
      return v instanceof Promise ? v.then((x) => templated(ctx, x, random)) : templated(ctx, v, random);
    },
    ...(phase.onLog !== undefined ? { onLog: phase.onLog.bind(phase) } : {}),
    ...(phase.onSnapshot !== undefined ? { onSnapshot: phase.onSnapshot.bind(phase) } : {}),
  };
}
