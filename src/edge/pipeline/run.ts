/**
 * THE request path, in one place. Phases run in this fixed order (docs/lifecycle.md draws it):
 *
 *   routing (Host/SNI → zone snapshot; unknown host answered before any phase)
 *   → [request phases, added by the issues that give them something to do:
 *      access-rules → reputation → firewall-rules → rate-limit → waf → challenge → cache]
 *   (/.rampart/* paths, e.g. the challenge's verify endpoint, are answered by their owner before any phase)
 *   → origin (proxy to the pool: failover, 502/504 pages)
 *   → log (always)
 *
 * A synchronous verdict skips the await. A `challenge` verdict goes through the challenge phase: a valid
 * clearance continues, otherwise the challenge is served. Any other non-continue verdict ends the request side:
 * the edge answers it (block page, 429, drop) and the log phase still runs.
 */
import type { RequestContext } from './context.ts';
import type { Phase, Verdict } from './phase.ts';

export interface Pipeline {
  /** Phases that run before the origin, in order. */
  readonly request: readonly Phase[];
  /** Serves a `challenge` verdict of an earlier phase unless the client holds a clearance (then: continue). */
  readonly challenge?: { onChallenge(ctx: RequestContext, v: Extract<Verdict, { kind: 'challenge' }>): Verdict } | undefined;
  /** The origin phase: proxies and answers; resolves when the response has been handed to the client. */
  readonly origin: Phase;
  /** Phases with onLog, run once the exchange is over. */
  readonly log: readonly Phase[];
}

export type Answer = (ctx: RequestContext, verdict: Verdict) => void;

/**
 * Run the request side. Returns nothing: the response is written either by the origin phase or by `answer`
 * for an early verdict. Errors thrown by a phase are faults, answered as a 500 by the caller's catch.
 */
export function runRequest(ctx: RequestContext, p: Pipeline, answer: Answer): void | Promise<void> {
  const phases = p.request;
  for (let i = 0; i < phases.length; i++) {
    const ph = phases[i]!;
    let v = ph.onRequest!(ctx);
    if (v instanceof Promise) return continueAsync(ctx, p, answer, i, v);
    if (v.kind === 'challenge' && p.challenge !== undefined) v = p.challenge.onChallenge(ctx, v);
    if (v.kind !== 'continue') { stop(ctx, ph, v, answer); return; }
  }
  return runOrigin(ctx, p, answer);
}

async function continueAsync(ctx: RequestContext, p: Pipeline, answer: Answer, i: number, pending: Promise<Verdict>): Promise<void> {
  const phases = p.request;
  let v = await pending;
  for (;;) {
    const ph = phases[i]!;
    if (v.kind === 'challenge' && p.challenge !== undefined) v = p.challenge.onChallenge(ctx, v);
    if (v.kind !== 'continue') { stop(ctx, ph, v, answer); return; }
    i++;
    if (i >= phases.length) break;
    const r = phases[i]!.onRequest!(ctx);
    v = r instanceof Promise ? await r : r;
  }
  await runOrigin(ctx, p, answer);
}

function stop(ctx: RequestContext, ph: Phase, v: Verdict, answer: Answer): void {
  ctx.record(ph.name, v);
  ctx.final = { phase: ph.name, verdict: v };
  answer(ctx, v);
}

function runOrigin(ctx: RequestContext, p: Pipeline, answer: Answer): void | Promise<void> {
  const r = p.origin.onRequest!(ctx);
  if (r instanceof Promise) return r.then((v) => { if (v.kind !== 'continue') stop(ctx, p.origin, v, answer); });
  if (r.kind !== 'continue') stop(ctx, p.origin, r, answer);
}

/** Called once per request when the exchange is over. */
export function runLog(ctx: RequestContext, p: Pipeline): void {
  for (const ph of p.log) ph.onLog!(ctx);
}
