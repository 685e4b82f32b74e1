/** The zone-owned rule kinds of the Rules language: custom firewall rules, rate-limiting rules, access rules. */
import { AccessRuleSchema, CustomRuleSchema, RateLimitRuleSchema, compileRateLimitRule, validateExpression, RuleError } from '../../rules/index.ts';
import type { AccessRule, CustomRule, RateLimitRule } from '../../rules/index.ts';
import type { ResourceKind } from './zone-resources.ts';

function exprProblem(field: string, src: string | undefined): string | undefined {
  if (src === undefined) return undefined;
  const v = validateExpression(src);
  return v.ok ? undefined : `${field}: ${v.error.message}\n${v.error.formatted.split('\n').slice(1).join('\n')}`;
}

export const FIREWALL_RULES: ResourceKind<CustomRule> = {
  kind: 'firewall_rule',
  noun: 'rule',
  schema: CustomRuleSchema,
  // Cloudflare's legacy firewall rules nest the expression in `filter`
  normalise: (b) => {
    const f = b['filter'] as { expression?: unknown } | undefined;
    if (f && typeof f === 'object' && b['expression'] === undefined) { const { filter: _f, ...rest } = b; return { ...rest, expression: f.expression }; }
    return b;
  },
  check: (r) => exprProblem('expression', r.expression),
};

export const RATE_LIMIT_RULES: ResourceKind<RateLimitRule> = {
  kind: 'ratelimit_rule',
  noun: 'rate limit',
  schema: RateLimitRuleSchema,
  check: (r) => {
    const p = exprProblem('expression', r.expression) ?? exprProblem('counting_expression', r.counting_expression);
    if (p !== undefined) return p;
    try { compileRateLimitRule(r); } catch (e) { if (e instanceof RuleError) return `characteristics: ${e.message}`; throw e; }
    return undefined;
  },
};

export const ACCESS_RULES: ResourceKind<AccessRule> = {
  kind: 'access_rule',
  noun: 'access rule',
  schema: AccessRuleSchema,
  // Cloudflare shape: { mode, configuration: { target, value }, notes }
  normalise: (b) => {
    const c = b['configuration'] as { target?: unknown; value?: unknown } | undefined;
    if (c && typeof c === 'object') { const { configuration: _c, ...rest } = b; return { ...rest, target: c.target === 'ip_range' ? 'cidr' : c.target, value: c.value }; }
    return b;
  },
};
