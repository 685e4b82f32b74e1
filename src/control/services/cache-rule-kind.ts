/** Cache rules as a zone-owned resource (stored as `cache_rule` documents; the edge's cache phase compiles them). */
import { CACHE_RULE_KIND, CacheRuleSchema, compilePathPattern } from '../../cache/index.ts';
import type { CacheRule } from '../../cache/index.ts';
import { validateExpression } from '../../rules/index.ts';
import type { ResourceKind } from './zone-resources.ts';

export const CACHE_RULES: ResourceKind<CacheRule> = {
  kind: CACHE_RULE_KIND,
  noun: 'cache rule',
  schema: CacheRuleSchema,
  check: (r) => {
    if (r.path !== undefined) {
      if (!r.path.startsWith('/') && !r.path.startsWith('*')) return 'path: must start with / or *';
      compilePathPattern(r.path);
    }
    if (r.expression === undefined) return undefined;
    const v = validateExpression(r.expression);
    return v.ok ? undefined : `expression: ${v.error.message}\n${v.error.formatted.split('\n').slice(1).join('\n')}`;
  },
};
