/**
 * The rate-limit phase: each rule of the zone whose expression matches counts the request under its
 * characteristics (e.g. the client IP) in a sliding window of `period` seconds, through the CounterStore port
 * (per process, shared by a node's workers through SQLite, by a fleet through Redis). Past `requests`, the
 * rule's action applies, and keeps applying for `timeout` seconds (a mitigation recorded in the KeyValueStore).
 * Blocks answer 429 with Retry-After. A store failure fails open (counted, logged once a minute).
 */
import { compileRateLimitRule, RateLimitRuleSchema } from '../../../rules/index.ts';
import type { CompiledRateLimitRule } from '../../../rules/index.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import type { CounterStore, KeyValueStore } from '../../../state/ports.ts';
import { zoneCache } from '../zone-cache.ts';

export const RATE_LIMIT_KIND = 'ratelimit_rule';

export interface RateLimitDeps {
  readonly counters: CounterStore;
  readonly kv: KeyValueStore;
  readonly now: () => number;
  readonly onError: (zone: string, err: unknown) => void;
  readonly onStoreFailure: () => void;
}

function verdictFor(rule: CompiledRateLimitRule, retryAfter: number): Verdict {
  const a = rule.rule.action;
  if (a === 'block') return { kind: 'respond', status: 429, reason: 'ratelimit.exceeded', ruleId: rule.id, headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfter))) } };
  if (a === 'log') return CONTINUE;
  return { kind: 'challenge', method: a === 'js_challenge' ? 'js' : 'managed', reason: 'ratelimit.challenge', ruleId: rule.id };
}

export function createRateLimitPhase(deps: RateLimitDeps): Phase {
  const rulesOf = zoneCache<CompiledRateLimitRule[] | null>(RATE_LIMIT_KIND, (docs, zone) => {
    const out: CompiledRateLimitRule[] = [];
    for (const d of docs) {
      const r = RateLimitRuleSchema.safeParse(d.data);
      if (!r.success) { deps.onError(zone.name, new Error(`rate limit ${d.id}: ${r.error.issues[0]?.message ?? 'invalid'}`)); continue; }
      if (!r.data.enabled) continue;
      try { out.push(compileRateLimitRule(r.data)); } catch (e) { deps.onError(zone.name, e); }
    }
    return out.length ? out : null;
  });

  async function check(ctx: RequestContext, rules: CompiledRateLimitRule[]): Promise<Verdict> {
    const req = ctx.ruleRequest;
    const zid = ctx.zone!.id;
    for (const rule of rules) {
      if (!rule.expression.evaluate(req)) continue;
      const key = `rl:${zid}:${rule.id}:${rule.key(req)}`;
      try {
        if (rule.rule.timeout > 0) {
          const left = await deps.kv.ttl(key + ':ban');
          if (left !== undefined) {
            if (rule.rule.action === 'log') { ctx.matched.push(`ratelimit:${rule.id}:log`); continue; }
            return verdictFor(rule, left === Infinity ? rule.rule.timeout : left / 1000);
          }
        }
        const counts = rule.counting === null || rule.counting.evaluate(req);
        const windowMs = rule.rule.period * 1000;
        const n = counts ? await deps.counters.hit(key, windowMs) : await deps.counters.peek(key, windowMs);
        if (n <= rule.rule.requests) continue;
        if (rule.rule.action === 'log') { ctx.matched.push(`ratelimit:${rule.id}:log`); continue; }
        if (rule.rule.timeout > 0) {
          await deps.kv.set(key + ':ban', '1', rule.rule.timeout * 1000);
          return verdictFor(rule, rule.rule.timeout);
        }
        return verdictFor(rule, rule.rule.period);
      } catch (e) {
        deps.onStoreFailure();
        deps.onError(ctx.zone!.name, e);
      }
    }
    return CONTINUE;
  }

  return {
    name: 'rate-limit',
    onRequest(ctx: RequestContext): Verdict | Promise<Verdict> {
      const rules = rulesOf(ctx.zone!);
      if (rules === null || ctx.skips('rate_limit')) return CONTINUE;
      return check(ctx, rules);
    },
  };
}
