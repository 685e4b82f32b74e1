/**
 * Origin protection (issue 6, docs/bots-and-origin.md), used by the origin phase: the per-zone concurrency gate
 * (`settings.origin_max_concurrency`, `origin_queue`, `origin_queue_timeout_ms`; past it 503 `origin.overloaded`
 * with Retry-After) and the authenticated-origin-pull header (`settings.origin_pull_secret`).
 */
import { renderError } from '../../errors/page.ts';
import type { Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';

export { OriginGate } from './gate.ts';
export type { GateLimits, GateRefusal, Release } from './gate.ts';
export { ORIGIN_AUTH_HEADER, originAuthHeader, originAuthSignature, verifyOriginAuth } from './origin-auth.ts';
export type { OriginAuthCheck } from './origin-auth.ts';

export const ORIGIN_OVERLOADED = 'origin.overloaded';

/** Seconds a refused client is asked to wait. */
export const OVERLOADED_RETRY_AFTER_S = 5;

/** The 503 the edge answers when the zone's origin is at its cap and the queue is full or too slow. */
export function overloadedVerdict(ctx: RequestContext): Verdict {
  const { body, contentType } = renderError({
    def: { code: ORIGIN_OVERLOADED, number: 1529, status: 503, side: 'origin', title: 'Origin busy',
      text: 'The site\'s server is at its capacity right now. Please try again in a few seconds.' },
    ray: ctx.ray, host: ctx.host,
  }, ctx.req.headers.accept);
  return { kind: 'respond', status: 503, reason: ORIGIN_OVERLOADED, body, contentType, headers: { 'retry-after': String(OVERLOADED_RETRY_AFTER_S) } };
}
