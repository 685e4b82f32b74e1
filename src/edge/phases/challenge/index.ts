/**
 * The challenge phase: decides, from the zone's security level (Under Attack included) and the client's threat
 * score, whether to serve the proof-of-work challenge; and it serves the challenges other phases ask for (a
 * rule's `challenge` verdict) unless the client holds a valid clearance cookie for this zone, IP prefix,
 * User-Agent and policy. Browsers get the HTML page, API clients a 403 JSON body. The solution comes back to
 * /.rampart/challenge/verify, answered here before any other phase (see `verify`).
 */
import { decideChallenge, handleVerify, VERIFY_PATH } from '../../../mitigation/index.ts';
import type { ChallengeDeps, SecurityLevel } from '../../../mitigation/index.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import { VERIFIED_BOT_NOTE } from '../../../mitigation/bots/index.ts';

export { VERIFY_PATH };

/** Clearances are bound to the policy: one earned at an ordinary level does not pass Under Attack mode. */
function policyOf(level: SecurityLevel): string {
  return level === 'under_attack' ? 'ua1' : 'std1';
}

export interface ChallengePhase extends Phase {
  /** Serve (or let through with a clearance) a challenge asked for by an earlier phase. */
  onChallenge(ctx: RequestContext, v: Extract<Verdict, { kind: 'challenge' }>): Verdict;
  /** Answer a POST to VERIFY_PATH. */
  verify(ctx: RequestContext): Promise<Verdict>;
}

function decide(ctx: RequestContext, deps: ChallengeDeps, force: boolean, ruleId?: string): Verdict {
  const zone = ctx.zone!;
  const req = ctx.req;
  const level = zone.settings.security_level;
  const d = decideChallenge({
    zoneId: zone.id, securityLevel: level, threatScore: (ctx.notes.get('threat_score') as number | undefined) ?? 0,
    cookies: req.headers.cookie, ip: ctx.clientIp, ua: req.headers['user-agent'] ?? '', accept: req.headers.accept,
    method: req.method ?? 'GET', url: req.url ?? '/', policyId: policyOf(level), now: Date.now(), rayId: ctx.ray, siteName: ctx.host, force,
    // --- issue 6: verified crawlers skip the security level (not a rule's challenge); the zone's own page template
    verifiedBot: ctx.notes.get(VERIFIED_BOT_NOTE) === true && zone.settings.verified_bots_skip_challenge !== false,
    ...(zone.settings.templates?.challenge !== undefined ? { template: zone.settings.templates.challenge } : {}),
    // ---
  }, deps);
  if (d.kind === 'pass') {
    if (d.reason === 'clearance') ctx.matched.push('challenge:clearance');
    else if (d.reason === 'verified_bot') ctx.matched.push('challenge:verified_bot');
    return CONTINUE;
  }
  return { kind: 'respond', status: d.status, reason: force ? 'challenge.issued' : `challenge.${level === 'under_attack' ? 'under_attack' : 'security_level'}`, ...(ruleId !== undefined ? { ruleId } : {}), headers: d.headers, body: d.body, contentType: d.headers['content-type'] ?? 'text/html; charset=utf-8' };
}

async function readForm(ctx: RequestContext, limit: number): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of ctx.req) {
    size += (c as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createChallengePhase(deps: ChallengeDeps): ChallengePhase {
  return {
    name: 'challenge',
    onRequest(ctx) {
      if (ctx.skips('challenge') || ctx.skips('security_level')) return CONTINUE;
      return decide(ctx, deps, false);
    },
    onChallenge(ctx, v) {
      ctx.record('challenge', v);
      return decide(ctx, deps, true, v.ruleId);
    },
    async verify(ctx) {
      const form = await readForm(ctx, 8192);
      if (form === undefined) return { kind: 'respond', status: 413, reason: 'challenge.bad_request', body: 'challenge answer too large\n' };
      const level = ctx.zone!.settings.security_level;
      const r = await handleVerify(form, {
        zoneId: ctx.zone!.id, ip: ctx.clientIp, ua: ctx.req.headers['user-agent'] ?? '', now: Date.now(), https: ctx.tls,
        policyId: policyOf(level), rayId: ctx.ray, siteName: ctx.host, ...(ctx.req.headers.accept !== undefined ? { accept: ctx.req.headers.accept } : {}),
      }, deps);
      const ok = r.status < 400;
      return { kind: 'respond', status: r.status, reason: ok ? 'challenge.solved' : 'challenge.failed', headers: r.headers, body: r.body, contentType: r.headers['content-type'] ?? 'text/html; charset=utf-8' };
    },
  };
}
