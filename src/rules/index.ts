/** The Rules language: public surface. */
export { compileExpression, validateExpression } from './expression.ts';
export type { CompiledExpression, CompileOptions, Guard, ValidationError, ValidationResult } from './expression.ts';
export { guardOf } from './expression.ts';
export { RuleError, RuleSyntaxError, RuleTypeError } from './errors.ts';
export { compileCharacteristics, CharacteristicError } from './characteristics.ts';
export { createRuleRequest, parseCookies, parseQueryArgs } from './request.ts';
export type { RuleRequest, RuleRequestInit, HeaderInput } from './request.ts';
export type { RuleList, ListResolver } from './lists.ts';
export type { RegexEngine } from './pattern.ts';
export { FIELDS } from './fields.ts';
export type { FieldDef } from './fields.ts';
export { FUNCTIONS } from './functions.ts';
export type { FunctionDef } from './functions.ts';
export { parseExpression } from './parser.ts';
export { printExpr } from './ast.ts';
export type { Expr } from './ast.ts';
export {
  RuleIdSchema, RuleActionSchema, SkipParametersSchema, SkippablePhaseSchema, SkippableProductSchema, CustomRuleSchema,
  RateLimitActionSchema, RateLimitRuleSchema, AccessModeSchema, AccessTargetSchema, AccessRuleSchema,
} from './schemas.ts';
export type { RuleAction, SkipParameters, CustomRule, RateLimitAction, RateLimitRule, AccessRule } from './schemas.ts';
export { compileCustomRules, evaluateRules, compileRateLimitRule, RuleCompileError } from './ruleset.ts';
export type { CompiledCustomRule, RulesOutcome, CompiledRateLimitRule } from './ruleset.ts';
export { compileAccessRules, rangeToPrefixes } from './access.ts';
export type { AccessMatcher } from './access.ts';
export { RULE_LIST_KIND, ACCOUNT_FIREWALL_RULE_KIND, ACCOUNT_ACCESS_RULE_KIND, MAX_LIST_ITEMS, ListKindSchema, ListNameSchema, ListInputSchema, ListItemInputSchema, normaliseItem, toRuleList, listResolver, listsMentioned } from './list-schema.ts';
export type { ListKind, ListItemInput, StoredList, StoredListItem } from './list-schema.ts';
