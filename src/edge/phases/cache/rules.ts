/**
 * The zone's cache rules (src/cache/cache-rule.ts), compiled once per snapshot (expressions with the Rules
 * language, path patterns to matchers) and evaluated per request into one outcome, plus the zone's cache-key
 * default. A rule that fails to compile is left out (and reported); the others still apply.
 */
import { CACHE_RULE_KIND, CacheRuleSchema, compilePathPattern, foldCacheRules, NO_CACHE_RULE } from '../../../cache/index.ts';
import type { CacheKeySettings, CacheRule, CacheRuleOutcome, KeyOptions } from '../../../cache/index.ts';
import { compileExpression } from '../../../rules/index.ts';
import type { CompiledZone } from '../../../config/snapshot.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import { zoneCache } from '../zone-cache.ts';

interface CompiledCacheRule {
  readonly rule: CacheRule;
  readonly path: ((p: string) => boolean) | undefined;
  readonly expr: ((ctx: RequestContext) => boolean) | undefined;
}

export interface ZoneCacheRules {
  readonly rules: readonly CompiledCacheRule[];
  /** The zone's cache-key options (zone cache settings). */
  readonly keyOptions: KeyOptions;
}

export function toKeyOptions(k: CacheKeySettings | undefined): KeyOptions {
  if (k === undefined) return {};
  return {
    ...(k.query !== undefined ? { query: k.query } : {}),
    ...(k.include !== undefined ? { includeArgs: k.include } : {}),
    ...(k.exclude !== undefined ? { excludeArgs: k.exclude } : {}),
  };
}

function zoneKeyOptions(zone: CompiledZone): KeyOptions {
  const c = zone.zone.cache;
  return toKeyOptions({ query: c.query_string ?? 'raw', include: c.query_include, exclude: c.query_exclude });
}

export function cacheRulesOf(onError: (zone: string, err: unknown) => void): (zone: CompiledZone) => ZoneCacheRules {
  return zoneCache<ZoneCacheRules>(CACHE_RULE_KIND, (docs, zone) => {
    const out: { c: CompiledCacheRule; i: number }[] = [];
    docs.forEach((d, i) => {
      const r = CacheRuleSchema.safeParse(d.data);
      if (!r.success) { onError(zone.name, new Error(`cache rule ${d.id}: ${r.error.issues[0]?.message ?? 'invalid'}`)); return; }
      if (!r.data.enabled) return;
      try {
        const e = r.data.expression === undefined ? undefined : compileExpression(r.data.expression);
        out.push({ i, c: { rule: r.data, path: r.data.path === undefined ? undefined : compilePathPattern(r.data.path), expr: e === undefined ? undefined : (ctx) => e.evaluate(ctx.ruleRequest) } });
      } catch (err) { onError(zone.name, err); }
    });
    out.sort((a, b) => (a.c.rule.priority ?? Infinity) - (b.c.rule.priority ?? Infinity) || a.i - b.i);
    return { rules: out.map((x) => x.c), keyOptions: zoneKeyOptions(zone) };
  });
}

/** The outcome of the zone's rules for this request (path: the request path without the query). */
export function evaluateCacheRules(z: ZoneCacheRules, ctx: RequestContext, path: string): CacheRuleOutcome {
  if (z.rules.length === 0) return NO_CACHE_RULE;
  const hits: CacheRule[] = [];
  for (const r of z.rules) {
    if (r.path !== undefined && !r.path(path)) continue;
    if (r.expr !== undefined && !r.expr(ctx)) continue;
    hits.push(r.rule);
  }
  return foldCacheRules(hits);
}
