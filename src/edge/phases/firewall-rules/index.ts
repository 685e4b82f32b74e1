/**
 * The firewall-rules phase: the zone's custom rules in the Rules language, compiled once per snapshot, evaluated
 * in order. block → 403; challenge kinds → a challenge verdict; allow → skip the later security phases;
 * skip → skip what its parameters name; log → recorded in the access log.
 */
import { compileCustomRules, evaluateRules, CustomRuleSchema } from '../../../rules/index.ts';
import type { CompiledCustomRule, CustomRule } from '../../../rules/index.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import { zoneCache } from '../zone-cache.ts';
import { SECURITY_PHASES } from '../access-rules/index.ts';

export const FIREWALL_RULE_KIND = 'firewall_rule';

export function createFirewallRulesPhase(onError: (zone: string, err: unknown) => void): Phase {
  const rulesOf = zoneCache<CompiledCustomRule[] | null>(FIREWALL_RULE_KIND, (docs, zone) => {
    const rules: CustomRule[] = [];
    for (const d of docs) {
      const r = CustomRuleSchema.safeParse(d.data);
      if (r.success) { if (r.data.enabled) rules.push(r.data); } else onError(zone.name, new Error(`rule ${d.id}: ${r.error.issues[0]?.message ?? 'invalid'}`));
    }
    if (rules.length === 0) return null;
    // one bad rule must not disable the others: compile one by one
    const out: CompiledCustomRule[] = [];
    for (const r of rules) {
      try { out.push(...compileCustomRules([r])); } catch (e) { onError(zone.name, e); }
    }
    return compileOrder(out);
  });
  return {
    name: 'firewall-rules',
    onRequest(ctx: RequestContext): Verdict {
      const rules = rulesOf(ctx.zone!);
      if (rules === null || ctx.skips('firewall_rules')) return CONTINUE;
      const out = evaluateRules(rules, ctx.ruleRequest);
      for (const r of out.logged) ctx.matched.push(`rule:${r.id}:log`);
      if (out.skipPhases.size) ctx.addSkip(out.skipPhases);
      if (out.skipProducts.size) ctx.addSkip(out.skipProducts);
      const t = out.terminal;
      if (t === null) return CONTINUE;
      switch (t.action) {
        case 'block': return { kind: 'respond', status: 403, reason: 'firewall.block', ruleId: t.id };
        case 'allow': ctx.addSkip(SECURITY_PHASES); ctx.matched.push(`rule:${t.id}:allow`); return CONTINUE;
        case 'challenge': case 'managed_challenge': return { kind: 'challenge', method: 'managed', reason: 'firewall.challenge', ruleId: t.id };
        case 'js_challenge': return { kind: 'challenge', method: 'js', reason: 'firewall.challenge', ruleId: t.id };
        default: return CONTINUE;
      }
    },
  };
}

/** Rules with a priority first (ascending), then the rest in stored order. */
function compileOrder(rules: CompiledCustomRule[]): CompiledCustomRule[] {
  return rules.map((r, i) => ({ r, i })).sort((a, b) => (a.r.rule.priority ?? Infinity) - (b.r.rule.priority ?? Infinity) || a.i - b.i).map((x) => x.r);
}
