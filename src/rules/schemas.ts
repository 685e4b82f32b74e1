/** Config/API shapes of custom rules, rate-limiting rules and access rules (zod v4). Types are inferred from them. */
import { z } from 'zod';
import { isValidIp, parseCidr, parseIpRange } from '../lib/ip.ts';

export const RuleIdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only');

/** What a matching custom rule does. `challenge`, `js_challenge` and `managed_challenge` give a challenge verdict. */
export const RuleActionSchema = z.enum(['block', 'challenge', 'js_challenge', 'managed_challenge', 'allow', 'log', 'skip']);
export type RuleAction = z.infer<typeof RuleActionSchema>;

/** Phases of the request path a `skip` rule may skip (those after custom rules, plus the ones before for clarity). */
export const SkippablePhaseSchema = z.enum(['access_rules', 'reputation', 'rate_limit', 'waf', 'challenge']);
/** Security products a `skip` rule may skip. */
export const SkippableProductSchema = z.enum(['waf', 'rate_limit', 'access_rules', 'reputation', 'bot_management', 'security_level']);

/** Parameters of a `skip` action: at least one of them. */
export const SkipParametersSchema = z
  .object({
    /** `current`: stop evaluating the remaining custom rules of this zone. */
    ruleset: z.literal('current').optional(),
    /** Ids of later custom rules to skip. */
    rules: z.array(RuleIdSchema).max(1000).optional(),
    phases: z.array(SkippablePhaseSchema).optional(),
    products: z.array(SkippableProductSchema).optional(),
  })
  .strict()
  .refine((p) => p.ruleset !== undefined || (p.rules?.length ?? 0) > 0 || (p.phases?.length ?? 0) > 0 || (p.products?.length ?? 0) > 0, {
    message: 'a skip action needs at least one of ruleset, rules, phases, products',
  });
export type SkipParameters = z.infer<typeof SkipParametersSchema>;

const ExpressionSchema = z.string().min(1).max(16_384);

export const CustomRuleSchema = z
  .object({
    id: RuleIdSchema,
    expression: ExpressionSchema,
    action: RuleActionSchema,
    action_parameters: SkipParametersSchema.optional(),
    description: z.string().max(500).optional(),
    enabled: z.boolean().default(true),
    /** Lower runs first; rules without a priority keep their list order after those with one. */
    priority: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.action === 'skip' && !r.action_parameters) {
      ctx.addIssue({ code: 'custom', path: ['action_parameters'], message: "action 'skip' needs action_parameters (ruleset, rules, phases or products)" });
    }
    if (r.action !== 'skip' && r.action_parameters) {
      ctx.addIssue({ code: 'custom', path: ['action_parameters'], message: `action '${r.action}' takes no action_parameters` });
    }
  });
export type CustomRule = z.infer<typeof CustomRuleSchema>;

export const RateLimitActionSchema = z.enum(['block', 'challenge', 'js_challenge', 'managed_challenge', 'log']);
export type RateLimitAction = z.infer<typeof RateLimitActionSchema>;

export const RateLimitRuleSchema = z
  .object({
    id: RuleIdSchema,
    expression: ExpressionSchema,
    /** Counter key parts, e.g. ['ip.src'] or ['ip.src', 'http.request.headers["x-api-key"]']. */
    characteristics: z.array(z.string().min(1).max(256)).min(1).max(8),
    /** Window length in seconds (10 s to 1 h). */
    period: z.number().int().min(10).max(3600),
    /** Requests allowed per period. */
    requests: z.number().int().min(1).max(1_000_000_000),
    action: RateLimitActionSchema,
    /** Mitigation timeout in seconds: how long the action lasts once triggered (0: only while over the limit). */
    timeout: z.number().int().min(0).max(86_400),
    /** Count only requests matching this expression (the rule still applies to all matching `expression`). */
    counting_expression: ExpressionSchema.optional(),
    /** Count only requests whose origin response has one of these statuses (e.g. [401] for failed logins). */
    counting_status_codes: z.array(z.number().int().min(100).max(599)).min(1).optional(),
    description: z.string().max(500).optional(),
    enabled: z.boolean().default(true),
  })
  .strict();
export type RateLimitRule = z.infer<typeof RateLimitRuleSchema>;

export const AccessModeSchema = z.enum(['block', 'challenge', 'allow', 'log']);
export const AccessTargetSchema = z.enum(['ip', 'cidr', 'range', 'country', 'asn']);

export const AccessRuleSchema = z
  .object({
    id: RuleIdSchema,
    mode: AccessModeSchema,
    target: AccessTargetSchema,
    /** An IP, a CIDR, an `a-b` range, an ISO country code ("FR"; "XX" for unknown, "T1" for Tor) or an AS number. */
    value: z.union([z.string().min(1).max(100), z.number().int()]),
    notes: z.string().max(500).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const v = String(r.value).trim();
    const bad = (msg: string): void => ctx.addIssue({ code: 'custom', path: ['value'], message: msg });
    switch (r.target) {
      case 'ip': if (!isValidIp(v)) bad(`'${v}' is not an IP address`); break;
      case 'cidr': if (!parseCidr(v)) bad(`'${v}' is not a CIDR like 203.0.113.0/24 or 2001:db8::/32`); break;
      case 'range': if (!parseIpRange(v)) bad(`'${v}' is not a range like 203.0.113.5-203.0.113.9`); break;
      case 'country': if (!/^[A-Za-z][A-Za-z0-9]$/.test(v)) bad(`'${v}' is not a two-letter country code`); break;
      case 'asn': if (!/^(AS)?\d{1,10}$/i.test(v) || Number(v.replace(/^AS/i, '')) > 4294967295) bad(`'${v}' is not an AS number`); break;
    }
  });
export type AccessRule = z.infer<typeof AccessRuleSchema>;
