/**
 * The reputation phase: looks up the client's shared threat score (0-100, decayed; fed by every zone and, in a
 * fleet, every node) for the challenge decision and the `rampart.threat_score` rule field; and, once the
 * exchange is over, reports what the client did (blocked by a rule, the WAF, a rate limit) back into it.
 * A store failure counts as score 0 (fail-open) and is counted in rampart_state_failures_total.
 */
import type { Reputation, ReputationEventKind } from '../../../reputation/index.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';

const EVENT_BY_REASON: Readonly<Record<string, ReputationEventKind>> = {
  'waf.block': 'waf_block',
  'firewall.block': 'firewall_block',
  'access.block': 'firewall_block',
  'ratelimit.exceeded': 'ratelimit',
  'auto.ratelimit': 'ratelimit',
  'challenge.failed': 'challenge_failed',
};

export function createReputationPhase(rep: Reputation, onFailure: () => void): Phase {
  return {
    name: 'reputation',
    onRequest(ctx: RequestContext): Verdict | Promise<Verdict> {
      if (ctx.skips('reputation')) return CONTINUE;
      const now = rep.scoreNow(ctx.clientIp); // cached: no await on the hot path
      if (now !== undefined) { if (now > 0) ctx.notes.set('threat_score', now); return CONTINUE; }
      return rep.score(ctx.clientIp).then((s) => { ctx.notes.set('threat_score', s); return CONTINUE; }, () => { onFailure(); return CONTINUE; });
    },
    onLog(ctx: RequestContext): void {
      const f = ctx.final;
      if (f === undefined || f.verdict.kind === 'continue') return;
      const kind = EVENT_BY_REASON[f.verdict.reason];
      if (kind !== undefined) rep.record(ctx.clientIp, kind).catch(onFailure);
    },
  };
}
