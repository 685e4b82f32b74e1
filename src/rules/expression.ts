/** compileExpression / validateExpression: the pipeline lexer → parser → checker → compiler. */
import { RuleError } from './errors.ts';
import { checkExpression } from './checker.ts';
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

export interface CompiledExpression {
  readonly source: string;
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
  return { source: src, fields, evaluate: pred };
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
