/**
 * Cache rules of a zone (Cloudflare's Cache Rules): which requests the cache bypasses, which it caches whatever
 * the origin's headers say, and TTL / cache-key overrides. Shared by the control plane (API validation) and the
 * edge (compiled per snapshot by the cache phase). Data only: expressions are compiled by the caller with the Rules
 * language (src/rules), path patterns with `compilePathPattern`.
 *
 * Every enabled rule that matches applies, in order (priority ascending, then list order); a later rule's fields
 * override an earlier one's (as Cloudflare's Cache Rules). Example:
 *   { "id": "static", "path": "/static/*", "action": "cache_everything", "edge_ttl": 86400, "browser_ttl": 3600 }
 *   { "id": "admin", "expression": "starts_with(http.request.uri.path, \"/admin\")", "action": "bypass" }
 */
import { z } from 'zod';

export const CacheRuleActionSchema = z.enum(['respect_origin', 'bypass', 'cache_everything']);
export type CacheRuleAction = z.infer<typeof CacheRuleActionSchema>;

/** Cache-key options: the zone's default (zone settings) or a rule's override. */
export const CacheKeySettingsSchema = z.object({
  query: z.enum(['raw', 'sorted', 'ignore']).optional().describe('raw: as sent; sorted: args sorted by name; ignore: no query in the key'),
  include: z.array(z.string().min(1).max(200)).max(100).optional().describe('only these query args are part of the key'),
  exclude: z.array(z.string().min(1).max(200)).max(100).optional().describe('these query args are left out of the key'),
}).strict().refine((k) => !(k.include !== undefined && k.exclude !== undefined), { message: 'give include or exclude, not both' });
export type CacheKeySettings = z.infer<typeof CacheKeySettingsSchema>;

const TtlSchema = z.number().int().min(0).max(365 * 86400);

export const CacheRuleSchema = z.object({
  id: z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only'),
  description: z.string().max(500).optional(),
  enabled: z.boolean().default(true),
  /** Lower runs first; rules without a priority keep their list order after those with one. */
  priority: z.number().int().min(0).max(1_000_000).optional(),
  /** A Rules-language expression (e.g. `http.request.uri.path matches "^/api/"`). */
  expression: z.string().min(1).max(16_384).optional(),
  /** A path pattern: `*` matches any run of characters, everything else literally (`/static/*`, `*.jpg`). */
  path: z.string().min(1).max(1024).optional(),
  action: CacheRuleActionSchema.default('respect_origin'),
  /** Edge TTL override in seconds: replaces the origin's freshness lifetime. */
  edge_ttl: TtlSchema.optional(),
  /** Browser TTL override in seconds: `Cache-Control: max-age=N` on responses served from the cache. */
  browser_ttl: TtlSchema.optional(),
  /** Cache-key override for matching requests. */
  cache_key: CacheKeySettingsSchema.optional(),
}).strict().refine((r) => r.expression !== undefined || r.path !== undefined, { message: 'a cache rule needs an expression or a path', path: ['expression'] });
export type CacheRule = z.infer<typeof CacheRuleSchema>;

/** The stored document kind of cache rules. */
export const CACHE_RULE_KIND = 'cache_rule';

/** A path pattern as an anchored linear-time test (`*` = any characters; the rest literal). */
export function compilePathPattern(pattern: string): (path: string) => boolean {
  if (!pattern.includes('*')) return (p) => p === pattern;
  const parts = pattern.split('*');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1);
  return (p) => {
    if (p.length < first.length + last.length || !p.startsWith(first) || !p.endsWith(last)) return false;
    let at = first.length;
    const end = p.length - last.length;
    for (const m of middle) {
      if (m === '') continue;
      const i = p.indexOf(m, at);
      if (i < 0 || i + m.length > end) return false;
      at = i + m.length;
    }
    return true;
  };
}

/** What the matching rules of a request add up to. */
export interface CacheRuleOutcome {
  readonly action: CacheRuleAction;
  readonly edgeTtl: number | undefined;
  readonly browserTtl: number | undefined;
  readonly cacheKey: CacheKeySettings | undefined;
  /** Ids of the rules that matched, in order. */
  readonly matched: readonly string[];
}

export const NO_CACHE_RULE: CacheRuleOutcome = Object.freeze({ action: 'respect_origin', edgeTtl: undefined, browserTtl: undefined, cacheKey: undefined, matched: [] });

/** Fold the matching rules (in order): later fields override earlier ones; an unset field keeps the earlier value. */
export function foldCacheRules(rules: readonly CacheRule[]): CacheRuleOutcome {
  if (rules.length === 0) return NO_CACHE_RULE;
  let action: CacheRuleAction = 'respect_origin';
  let edgeTtl: number | undefined;
  let browserTtl: number | undefined;
  let cacheKey: CacheKeySettings | undefined;
  for (const r of rules) {
    if (r.action !== 'respect_origin') action = r.action;
    if (r.edge_ttl !== undefined) edgeTtl = r.edge_ttl;
    if (r.browser_ttl !== undefined) browserTtl = r.browser_ttl;
    if (r.cache_key !== undefined) cacheKey = r.cache_key;
  }
  return { action, edgeTtl, browserTtl, cacheKey, matched: rules.map((r) => r.id) };
}
