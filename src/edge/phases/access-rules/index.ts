/**
 * The access-rules phase: IP, CIDR, range, country and ASN rules of the zone (longest prefix wins). `block`
 * answers 403, `challenge` asks for a challenge, `allow` lets the client skip the later security phases,
 * `log` only records.
 *
 * It also looks the client up in the GeoIP databases (RAMPART_GEOIP_COUNTRY / RAMPART_GEOIP_ASN, loaded once per
 * process) and puts `country` and `asn` on the context's notes for the later phases and analytics; with no database
 * configured the notes stay unset (rules then read "XX" and 0).
 */
import { compileAccessRules, AccessRuleSchema } from '../../../rules/index.ts';
import type { AccessMatcher, AccessRule } from '../../../rules/index.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import { zoneCache } from '../zone-cache.ts';
import { AccountIndex } from '../firewall-rules/account-index.ts';
import type { EdgeSnapshot } from '../../../config/snapshot.ts';
import { defaultGeoIp } from '../../../lib/geoip/index.ts';
import type { GeoIp } from '../../../lib/geoip/index.ts';

export const COUNTRY_NOTE = 'country';
export const ASN_NOTE = 'asn';

/** Put the client's country and ASN on the notes (once per request; a no-op without a database). */
export function annotateGeo(ctx: RequestContext, geo: GeoIp): void {
  if (!geo.configured || ctx.notes.has(COUNTRY_NOTE)) return;
  ctx.notes.set(COUNTRY_NOTE, geo.country(ctx.clientIp));
  ctx.notes.set(ASN_NOTE, geo.asn(ctx.clientIp));
}

export const ACCESS_RULE_KIND = 'access_rule';
export const SECURITY_PHASES = ['access_rules', 'reputation', 'firewall_rules', 'rate_limit', 'waf', 'challenge'] as const;

/**
 * Wrap a phase that runs before access rules (legal orders by country) so that the geo notes are set first.
 * The wrapped phase keeps its name, onLog and onSnapshot.
 */
export function withGeo(phase: Phase, geoOf: () => GeoIp = defaultGeoIp): Phase {
  const inner = phase.onRequest?.bind(phase);
  return {
    name: phase.name,
    onRequest(ctx: RequestContext): Verdict | Promise<Verdict> {
      annotateGeo(ctx, geoOf());
      return inner ? inner(ctx) : CONTINUE;
    },
    ...(phase.onLog ? { onLog: phase.onLog.bind(phase) } : {}),
    ...(phase.onSnapshot ? { onSnapshot: phase.onSnapshot.bind(phase) } : {}),
  };
}

export function createAccessRulesPhase(onError: (zone: string, err: unknown) => void, geoOf: () => GeoIp = defaultGeoIp): Phase & { onSnapshot(s: EdgeSnapshot): void } {
  let geoReported = false;
  let index = new AccountIndex();
  // account-wide rules, compiled once per account per snapshot; consulted after the zone's own
  const accountMatchers = new WeakMap<AccountIndex, Map<string, AccessMatcher | null>>();
  const accountMatcherOf = (ix: AccountIndex, account: string): AccessMatcher | null => {
    let m = accountMatchers.get(ix);
    if (!m) accountMatchers.set(ix, m = new Map());
    let v = m.get(account);
    if (v === undefined) {
      const rules: AccessRule[] = [];
      for (const d of ix.accessRules(account)) {
        const { account: _a, ...rest } = d.data as Record<string, unknown>;
        const r = AccessRuleSchema.safeParse(rest);
        if (r.success) rules.push(r.data); else onError(`account ${account}`, new Error(`account access rule ${d.id}: ${r.error.issues[0]?.message ?? 'invalid'}`));
      }
      v = rules.length ? compileAccessRules(rules) : null;
      m.set(account, v);
    }
    return v;
  };
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
    onSnapshot(s: EdgeSnapshot): void { index = AccountIndex.from(s); },
    onRequest(ctx: RequestContext): Verdict {
      const geo = geoOf();
      if (!geoReported && geo.problems.length > 0) { geoReported = true; onError('-', new Error(`GeoIP: ${geo.problems.join('; ')}`)); }
      annotateGeo(ctx, geo);
      const m = matcherOf(ctx.zone!);
      const am = accountMatcherOf(index, ctx.zone!.account);
      if ((m === null && am === null) || ctx.skips('access_rules')) return CONTINUE;
      const country = (ctx.notes.get(COUNTRY_NOTE) as string | undefined) ?? geo.country(ctx.clientIp);
      const asn = (ctx.notes.get(ASN_NOTE) as number | undefined) ?? geo.asn(ctx.clientIp);
      const rule = m?.match(ctx.clientIp, country, asn) ?? am?.match(ctx.clientIp, country, asn) ?? null;
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
