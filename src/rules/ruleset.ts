/**
 * Compiled rules of a zone and their evaluation: custom rules in order (first terminating match wins, `log` records
 * and continues, `skip` skips later rules, phases or products), and rate-limit rules' matchers and counter keys.
 */
import { compileCharacteristics } from './characteristics.ts';
import { RuleError, RuleTypeError } from './errors.ts';
import { compileExpression } from './expression.ts';
import type { CompiledExpression, CompileOptions } from './expression.ts';
import { RulePrefilter } from './prefilter.ts';
import type { RuleRequest } from './request.ts';
import type { CustomRule, RateLimitRule, RuleAction } from './schemas.ts';

/** A rule that failed to compile: which rule, which of its expressions, and the language error. */
export class RuleCompileError extends RuleTypeError {
  readonly ruleId: string;
  readonly property: string;
  readonly languageError: RuleError;
  constructor(ruleId: string, property: string, cause: RuleError) {
    super({ code: cause.code, message: `rule ${ruleId}, ${property}: ${cause.detail}`, source: cause.source, offset: cause.offset, length: cause.length });
    this.name = 'RuleCompileError';
    this.ruleId = ruleId;
    this.property = property;
    this.languageError = cause;
  }
}

export interface CompiledCustomRule {
  readonly id: string;
  readonly action: RuleAction;
  readonly rule: CustomRule;
  readonly expression: CompiledExpression;
}

function wrap<T>(id: string, property: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RuleError) throw new RuleCompileError(id, property, e);
    throw e;
  }
}

/**
 * Compile a zone's custom rules: disabled ones are dropped, the rest ordered by priority (rules without one keep
 * their order, after those with one). Throws RuleCompileError for the first rule that does not compile.
 */
export function compileCustomRules(rules: readonly CustomRule[], opts: CompileOptions = {}): CompiledCustomRule[] {
  const indexed = rules.map((rule, i) => ({ rule, i })).filter((x) => x.rule.enabled !== false);
  indexed.sort((a, b) => (a.rule.priority ?? Infinity) - (b.rule.priority ?? Infinity) || a.i - b.i);
  return indexed.map(({ rule }) => ({
    id: rule.id,
    action: rule.action,
    rule,
    expression: wrap(rule.id, 'expression', () => compileExpression(rule.expression, opts)),
  }));
}

export interface RulesOutcome {
  /** The first matching rule whose action ends evaluation (block, challenge, js_challenge, managed_challenge, allow). */
  readonly terminal: CompiledCustomRule | null;
  /** Matching `log` rules, in order. */
  readonly logged: readonly CompiledCustomRule[];
  /** Matching `skip` rules, in order. */
  readonly skippedBy: readonly CompiledCustomRule[];
  /** Phases and products that matching `skip` rules asked to skip. */
  readonly skipPhases: ReadonlySet<string>;
  readonly skipProducts: ReadonlySet<string>;
}

const NONE: RulesOutcome = Object.freeze({ terminal: null, logged: [], skippedBy: [], skipPhases: new Set<string>(), skipProducts: new Set<string>() });

const prefilters = new WeakMap<readonly CompiledCustomRule[], RulePrefilter | null>();

/** The literal prefilter of a rule list, built on its first evaluation (rule lists are built once per snapshot). */
function prefilterOf(rules: readonly CompiledCustomRule[]): RulePrefilter | null {
  let p = prefilters.get(rules);
  if (p === undefined) {
    const pf = new RulePrefilter(rules.map((r) => r.expression.needle));
    p = pf.active ? pf : null;
    prefilters.set(rules, p);
  }
  return p;
}

/** Evaluate compiled custom rules in order against one request. */
export function evaluateRules(rules: readonly CompiledCustomRule[], req: RuleRequest): RulesOutcome {
  let logged: CompiledCustomRule[] | undefined;
  let skippedBy: CompiledCustomRule[] | undefined;
  let skipRules: Set<string> | undefined;
  let skipPhases: Set<string> | undefined;
  let skipProducts: Set<string> | undefined;
  let terminal: CompiledCustomRule | null = null;
  const method = req.method;
  const host = req.host;
  const path = req.path;
  const pf = prefilterOf(rules);
  const needles = pf === null ? null : pf.needleOfRule;
  if (pf !== null) pf.mark(req);
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i] as CompiledCustomRule;
    const e = r.expression;
    const g = e.guard;
    if (g !== undefined) {
      const v = g.field === 2 ? path : g.field === 1 ? host : method;
      if (g.value !== undefined ? v !== g.value : !(g.set as ReadonlySet<string>).has(v)) continue;
    } else if (needles !== null) {
      const nd = needles[i] as number;
      if (nd >= 0 && !(pf as RulePrefilter).present(nd)) continue;
    }
    if (skipRules?.has(r.id)) continue;
    if (!e.evaluate(req)) continue;
    if (r.action === 'log') {
      (logged ??= []).push(r);
      continue;
    }
    if (r.action === 'skip') {
      (skippedBy ??= []).push(r);
      const p = r.rule.action_parameters;
      for (const id of p?.rules ?? []) (skipRules ??= new Set()).add(id);
      for (const ph of p?.phases ?? []) (skipPhases ??= new Set()).add(ph);
      for (const pr of p?.products ?? []) (skipProducts ??= new Set()).add(pr);
      if (p?.ruleset === 'current') break;
      continue;
    }
    terminal = r;
    break;
  }
  if (!terminal && !logged && !skippedBy) return NONE;
  return {
    terminal,
    logged: logged ?? [],
    skippedBy: skippedBy ?? [],
    skipPhases: skipPhases ?? new Set(),
    skipProducts: skipProducts ?? new Set(),
  };
}

export interface CompiledRateLimitRule {
  readonly id: string;
  readonly rule: RateLimitRule;
  /** Requests the rule applies to. */
  readonly expression: CompiledExpression;
  /** Requests that count (defaults to `expression`); `rule.counting_status_codes` is for the integrator to apply. */
  readonly counting: CompiledExpression | null;
  /** The counter key (without the rule id or zone; prefix them). */
  readonly key: (req: RuleRequest) => string;
}

/** Compile a rate-limit rule's expressions and characteristics. Throws RuleCompileError. */
export function compileRateLimitRule(rule: RateLimitRule, opts: CompileOptions = {}): CompiledRateLimitRule {
  return {
    id: rule.id,
    rule,
    expression: wrap(rule.id, 'expression', () => compileExpression(rule.expression, opts)),
    counting: rule.counting_expression === undefined ? null : wrap(rule.id, 'counting_expression', () => compileExpression(rule.counting_expression as string, opts)),
    key: wrap(rule.id, 'characteristics', () => compileCharacteristics(rule.characteristics)),
  };
}
