/**
 * The verified-bots phase (issue 6, docs/bots-and-origin.md): for a request whose User-Agent claims to be a
 * known crawler, checks the client IP by forward-confirmed reverse DNS (src/mitigation/bots) and sets the
 * `verified_bot` note, read by the `rampart.verified_bot` rule field and by the challenge phase (which lets
 * verified crawlers past the security level when the zone's `verified_bots_skip_challenge` is on).
 *
 * Cost: nothing for other User-Agents; a cached answer is synchronous; an unknown crawler address waits for one
 * lookup of at most the verifier's timeout (1.5 s) and is decided by its result. Never blocks: always continue.
 */
import type { BotVerifier } from '../../../mitigation/bots/index.ts';
import { claimsCrawler, VERIFIED_BOT_NOTE } from '../../../mitigation/bots/index.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';

export function createVerifiedBotsPhase(verifier: BotVerifier): Phase {
  return {
    name: 'verified-bots',
    onRequest(ctx: RequestContext): Verdict | Promise<Verdict> {
      // nobody would read the answer: a paused zone or an access `allow` skips the rules and the challenge
      if (ctx.skips('firewall_rules') && ctx.skips('challenge')) return CONTINUE;
      const ua = ctx.req.headers['user-agent'];
      if (!claimsCrawler(ua)) return CONTINUE;
      const known = verifier.cached(ctx.clientIp);
      if (known !== undefined) {
        if (known) ctx.notes.set(VERIFIED_BOT_NOTE, true);
        return CONTINUE;
      }
      return verifier.verify(ctx.clientIp).then((ok) => {
        if (ok) ctx.notes.set(VERIFIED_BOT_NOTE, true);
        return CONTINUE;
      });
    },
  };
}
