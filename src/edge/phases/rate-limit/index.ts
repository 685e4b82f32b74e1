/**
 * The rate-limit phase: each rule of the zone whose expression matches counts the request under its
 * characteristics (e.g. the client IP) in a sliding window of `period` seconds, through the CounterStore port
 * (per process, shared by a node's workers through SQLite, by a fleet through Redis). Past `requests`, the
 * rule's action applies, and keeps applying for `timeout` seconds (a mitigation recorded in the KeyValueStore).
 * Blocks answer 429 with Retry-After. A store failure fails open (counted, logged once a minute).
 *
 * A rule with `counting_status_codes` counts in onLog, only when the origin answered with one of those statuses
 * (e.g. 401s on /login); the request side then only checks the count (peek), so the request after the N-th counted
 * one is the first to be stopped. Expressions may name the account's lists (`$office_ips`).
 */
import { compileRateLimitRule, RateLimitRuleSchema } from '../../../rules/index.ts';
import type { CompiledRateLimitRule } from '../../../rules/index.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import type { CounterStore, KeyValueStore } from '../../../state/ports.ts';
import type { EdgeSnapshot } from '../../../config/snapshot.ts';
import { AccountIndex, accountZoneCache } from '../firewall-rules/account-index.ts';

export const RATE_LIMIT_KIND = 'ratelimit_rule';
/** Note: the rules whose counting waits for the origin's status, with their counter keys (set by onRequest). */
export const RATE_LIMIT_PENDING_NOTE = 'ratelimit.pending';

interface Pending { readonly rule: CompiledRateLimitRule; readonly key: string; readonly statuses: ReadonlySet<number> }

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

export function createRateLimitPhase(deps: RateLimitDeps): Phase & { onSnapshot(s: EdgeSnapshot): void; onLog(ctx: RequestContext): void } {
  let index = new AccountIndex();
  const statusSets = new WeakMap<CompiledRateLimitRule, ReadonlySet<number>>();
  const statusesOf = (rule: CompiledRateLimitRule): ReadonlySet<number> | undefined => {
    const codes = rule.rule.counting_status_codes;
    if (codes === undefined) return undefined;
    let s = statusSets.get(rule);
    if (!s) statusSets.set(rule, s = new Set(codes));
    return s;
  };
  const rulesOf = accountZoneCache<CompiledRateLimitRule[] | null>(RATE_LIMIT_KIND, (docs, zone, ix) => {
    const out: CompiledRateLimitRule[] = [];
    for (const d of docs) {
      const r = RateLimitRuleSchema.safeParse(d.data);
      if (!r.success) { deps.onError(zone.name, new Error(`rate limit ${d.id}: ${r.error.issues[0]?.message ?? 'invalid'}`)); continue; }
      if (!r.data.enabled) continue;
      try { out.push(compileRateLimitRule(r.data, { lists: ix.lists(zone.account) })); } catch (e) { deps.onError(zone.name, e); }
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
        const counts = rule.counting === null || rule.counting.evaluate(req);
        const windowMs = rule.rule.period * 1000;
        const statuses = statusesOf(rule);
        if (statuses !== undefined && counts) {
          let p = ctx.notes.get(RATE_LIMIT_PENDING_NOTE) as Pending[] | undefined;
          if (p === undefined) ctx.notes.set(RATE_LIMIT_PENDING_NOTE, p = []);
          p.push({ rule, key, statuses });
        }
        // the ban check and the count go out together (one round trip to a networked store: Redis pipelines them);
        // a request during a ban therefore counts too, as every request the rule matched does
        const counted = counts && statuses === undefined ? deps.counters.hit(key, windowMs) : deps.counters.peek(key, windowMs);
        counted.catch(() => { /* awaited below, or dropped when a ban answers first */ });
        if (rule.rule.timeout > 0) {
          const left = await deps.kv.ttl(key + ':ban');
          if (left !== undefined) {
            if (rule.rule.action === 'log') { ctx.matched.push(`ratelimit:${rule.id}:log`); continue; }
            return verdictFor(rule, left === Infinity ? rule.rule.timeout : left / 1000);
          }
        }
        const n = await counted;
        // status-counted rules only peek here: N counted responses stop the next request
        if (statuses !== undefined ? n < rule.rule.requests : n <= rule.rule.requests) continue;
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
    onSnapshot(s: EdgeSnapshot): void { index = AccountIndex.from(s); },
    onRequest(ctx: RequestContext): Verdict | Promise<Verdict> {
      const rules = rulesOf(ctx.zone!, index);
      if (rules === null || ctx.skips('rate_limit')) return CONTINUE;
      return check(ctx, rules);
    },
    /** Count the requests of rules with counting_status_codes whose origin answered with one of those statuses. */
    onLog(ctx: RequestContext): void {
      const pending = ctx.notes.get(RATE_LIMIT_PENDING_NOTE) as Pending[] | undefined;
      if (pending === undefined) return;
      const status = ctx.originStatus;
      for (const p of pending) {
        if (!p.statuses.has(status)) continue;
        deps.counters.hit(p.key, p.rule.rule.period * 1000).catch((e: unknown) => {
          deps.onStoreFailure();
          if (ctx.zone) deps.onError(ctx.zone.name, e);
        });
      }
    },
  };
}
