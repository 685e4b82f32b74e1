/**
 * The access-rules phase: IP, CIDR, range, country and ASN rules of the zone (longest prefix wins). `block`
 * answers 403, `challenge` asks for a challenge, `allow` lets the client skip the later security phases,
 * `log` only records.
 */
import { compileAccessRules, AccessRuleSchema } from '../../../rules/index.ts';
import type { AccessMatcher, AccessRule } from '../../../rules/index.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import { zoneCache } from '../zone-cache.ts';

export const ACCESS_RULE_KIND = 'access_rule';
export const SECURITY_PHASES = ['access_rules', 'reputation', 'firewall_rules', 'rate_limit', 'waf', 'challenge'] as const;

export function createAccessRulesPhase(onError: (zone: string, err: unknown) => void): Phase {
  const matcherOf = zoneCache<AccessMatcher | null>(ACCESS_RULE_KIND, (docs, zone) => {
    if (docs.length === 0) return null;
    const rules: AccessRule[] = [];
    for (const d of docs) {
      const r = AccessRuleSchema.safeParse(d.data);
      if (r.success) rules.push(r.data); else onError(zone.name, new Error(`access rule ${d.id}: ${r.error.issues[0]?.message ?? 'invalid'}`));
    }
    return compileAccessRules(rules);
  });
  return {
    name: 'access-rules',
    onRequest(ctx: RequestContext): Verdict {
      const m = matcherOf(ctx.zone!);
      if (m === null || ctx.skips('access_rules')) return CONTINUE;
      const rule = m.match(ctx.clientIp, ctx.notes.get('country') as string | undefined, ctx.notes.get('asn') as number | undefined);
      if (rule === null) return CONTINUE;
      switch (rule.mode) {
        case 'block': return { kind: 'respond', status: 403, reason: 'access.block', ruleId: rule.id };
        case 'challenge': return { kind: 'challenge', method: 'managed', reason: 'access.challenge', ruleId: rule.id };
        case 'allow': ctx.addSkip(SECURITY_PHASES); ctx.matched.push(`access:${rule.id}:allow`); return CONTINUE;
        default: ctx.matched.push(`access:${rule.id}:log`); return CONTINUE;
      }
    },
  };
}
