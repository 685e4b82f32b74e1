/** compileExpression / validateExpression: the pipeline lexer → parser → checker → compiler. */
import { RuleError } from './errors.ts';
import { checkExpression } from './checker.ts';
import type { TNode } from './checker.ts';
import { needleOf } from './prefilter.ts';
import type { Needle } from './prefilter.ts';
import { compilePredicate } from './compiler.ts';
import type { ListResolver } from './lists.ts';
import type { RegexEngine } from './pattern.ts';
import { parseExpression } from './parser.ts';
import type { RuleRequest } from './request.ts';

export interface CompileOptions {
  /** Named lists for `$name`; an unknown name is a compile error. */
  readonly lists?: ListResolver | undefined;
  /**
   * How `matches`/`wildcard` patterns run: `fast` (default) on V8's backtracking engine with the fallback to the
   * linear engine after a bounded number of backtracks; `linear` on the linear engine only. Either way a pattern the
   * linear engine cannot run is a compile error.
   */
  readonly regexEngine?: RegexEngine | undefined;
}

/**
 * A necessary condition on a plain request property, found at compile time: the expression is an `and` (or a single
 * test) one of whose operands is `method|host|path eq "literal"` or `... in {"a" "b"}`. A rule set checks it before
 * calling `evaluate`, so rules for other paths, hosts or methods cost one comparison.
 */
export interface Guard {
  /** 0: http.request.method, 1: http.host, 2: http.request.uri.path. */
  readonly field: 0 | 1 | 2;
  /** The one value allowed, or undefined when `set` holds them. */
  readonly value: string | undefined;
  readonly set: ReadonlySet<string> | undefined;
}

const GUARD_FIELDS: ReadonlyMap<string, 0 | 1 | 2> = new Map([['http.request.method', 0], ['http.host', 1], ['http.request.uri.path', 2]] as const);

/** The most selective guard of a typed expression (path, then host, then method), or undefined. */
export function guardOf(n: TNode): Guard | undefined {
  if (n.each) return undefined;
  if (n.k === 'cmp' && n.op === 'eq' && n.left.k === 'field' && n.right.k === 'const' && typeof n.right.value === 'string') {
    const f = GUARD_FIELDS.get(n.left.field.name);
    return f === undefined ? undefined : { field: f, value: n.right.value, set: undefined };
  }
  if (n.k === 'inStrings' && n.left.k === 'field') {
    const f = GUARD_FIELDS.get(n.left.field.name);
    if (f === undefined) return undefined;
    return n.set.size === 1 ? { field: f, value: [...n.set][0] as string, set: undefined } : { field: f, value: undefined, set: n.set };
  }
  if (n.k === 'logic' && n.op === 'and') {
    let best: Guard | undefined;
    for (const o of n.operands) {
      const g = guardOf(o);
      if (g !== undefined && (best === undefined || g.field > best.field || (g.field === best.field && g.value !== undefined && best.value === undefined))) best = g;
    }
    return best;
  }
  return undefined;
}

export interface CompiledExpression {
  readonly source: string;
  /** A cheap necessary condition to test before `evaluate` (see Guard); undefined when none was found. */
  readonly guard?: Guard | undefined;
  /** A literal some string field must contain for the expression to be true (for rule-set prefilters). */
  readonly needle?: Needle | undefined;
  /** Fields the expression reads (map fields by their base name, e.g. `http.request.headers`). */
  readonly fields: ReadonlySet<string>;
  evaluate(req: RuleRequest): boolean;
}

/** Compile an expression once; evaluate it per request. Throws RuleSyntaxError or RuleTypeError (both RuleError). */
export function compileExpression(src: string, opts: CompileOptions = {}): CompiledExpression {
  if (typeof src !== 'string') throw new TypeError('expression must be a string');
  const ast = parseExpression(src);
  const { root, fields } = checkExpression(src, ast, opts);
  const pred = compilePredicate(root);
  const guard = guardOf(root);
  return { source: src, fields, evaluate: pred, guard, needle: guard === undefined ? needleOf(root) : undefined };
}

export interface ValidationError {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly code: string;
  /** The message with the source line and a caret under the problem. */
  readonly formatted: string;
}

export type ValidationResult = { readonly ok: true } | { readonly ok: false; readonly error: ValidationError };

/** Check an expression without keeping the compiled form (for the API and CLI). Never throws for bad input. */
export function validateExpression(src: string, opts: CompileOptions = {}): ValidationResult {
  if (typeof src !== 'string') {
    return { ok: false, error: { message: '1:1: expression must be a string', line: 1, column: 1, offset: 0, code: 'rules.syntax', formatted: '1:1: expression must be a string' } };
  }
  try {
    compileExpression(src, opts);
    return { ok: true };
  } catch (e) {
    if (e instanceof RuleError) {
      return { ok: false, error: { message: e.message, line: e.line, column: e.column, offset: e.offset, code: e.code, formatted: e.format() } };
    }
    throw e;
  }
}
