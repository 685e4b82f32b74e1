/**
 * The firewall-rules phase: the account's rules (defined once for all its zones) then the zone's custom rules, in
 * the Rules language, compiled once per snapshot with the account's named lists, evaluated in order.
 * block → 403; challenge kinds → a challenge verdict; allow → skip the later security phases;
 * skip → skip what its parameters name; log → recorded in the access log.
 * A rule that does not compile (e.g. it names a list that no longer exists) is reported and left out (fail open).
 */
import { compileCustomRules, evaluateRules, CustomRuleSchema } from '../../../rules/index.ts';
import type { CompiledCustomRule, CustomRule, ListResolver } from '../../../rules/index.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import type { EdgeSnapshot } from '../../../config/snapshot.ts';
import { SECURITY_PHASES } from '../access-rules/index.ts';
import { AccountIndex, accountZoneCache, parseAccountRule } from './account-index.ts';

export const FIREWALL_RULE_KIND = 'firewall_rule';
export { AccountIndex, RULE_LIST_KIND, ACCOUNT_FIREWALL_RULE_KIND } from './account-index.ts';

export interface FirewallRulesPhase extends Phase {
  onSnapshot(s: EdgeSnapshot): void;
  onRequest(ctx: RequestContext): Verdict;
}

export function createFirewallRulesPhase(onError: (zone: string, err: unknown) => void): FirewallRulesPhase {
  let index = new AccountIndex();
  const compileEach = (rules: readonly CustomRule[], lists: ListResolver, where: string): CompiledCustomRule[] => {
    // one bad rule must not disable the others: compile one by one
    const out: CompiledCustomRule[] = [];
    for (const r of rules) {
      try { out.push(...compileCustomRules([r], { lists })); } catch (e) { onError(where, e); }
    }
    return compileOrder(out);
  };
  const accountRules = new WeakMap<AccountIndex, Map<string, CompiledCustomRule[]>>();
  const accountRulesOf = (ix: AccountIndex, account: string): CompiledCustomRule[] => {
    let m = accountRules.get(ix);
    if (!m) accountRules.set(ix, m = new Map());
    let v = m.get(account);
    if (v === undefined) {
      const rules: CustomRule[] = [];
      for (const d of ix.accountRules(account)) {
        const r = parseAccountRule(d);
        if (r.ok) { if (r.rule.enabled) rules.push(r.rule); } else onError(`account ${account}`, new Error(`account rule ${d.id}: ${r.error}`));
      }
      v = compileEach(rules, ix.lists(account), `account ${account}`);
      m.set(account, v);
    }
    return v;
  };
  const rulesOf = accountZoneCache<CompiledCustomRule[] | null>(FIREWALL_RULE_KIND, (docs, zone, ix) => {
    const rules: CustomRule[] = [];
    for (const d of docs) {
      const r = CustomRuleSchema.safeParse(d.data);
      if (r.success) { if (r.data.enabled) rules.push(r.data); } else onError(zone.name, new Error(`rule ${d.id}: ${r.error.issues[0]?.message ?? 'invalid'}`));
    }
    const all = [...accountRulesOf(ix, zone.account), ...compileEach(rules, ix.lists(zone.account), zone.name)];
    return all.length === 0 ? null : all;
  });
  return {
    name: 'firewall-rules',
    onSnapshot(s: EdgeSnapshot): void { index = AccountIndex.from(s); },
    onRequest(ctx: RequestContext): Verdict {
      const rules = rulesOf(ctx.zone!, index);
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
