/** Errors of the rules language: every one carries a stable code and the position of the problem in the source. */

export interface RuleErrorInit {
  code: string;
  message: string;
  source: string;
  offset: number;
  /** How many characters the caret underline spans (at least 1). */
  length?: number;
}

/** Base class: a rule expression that cannot be compiled. `line` and `column` are 1-based. */
export class RuleError extends Error {
  readonly code: string;
  readonly source: string;
  readonly offset: number;
  readonly length: number;
  readonly line: number;
  readonly column: number;
  /** The message without the position prefix. */
  readonly detail: string;

  constructor(init: RuleErrorInit) {
    const offset = Math.max(0, Math.min(init.offset, init.source.length));
    const { line, column } = lineColumn(init.source, offset);
    super(`${line}:${column}: ${init.message}`);
    this.name = 'RuleError';
    this.code = init.code;
    this.source = init.source;
    this.offset = offset;
    this.length = Math.max(1, init.length ?? 1);
    this.line = line;
    this.column = column;
    this.detail = init.message;
  }

  /** For API error bodies: code, message, detail, line, column, offset, length. */
  toJSON(): { code: string; message: string; detail: string; line: number; column: number; offset: number; length: number } {
    return { code: this.code, message: this.message, detail: this.detail, line: this.line, column: this.column, offset: this.offset, length: this.length };
  }

  /** The message, then the offending source line with a caret under the problem. */
  format(): string {
    const lines = this.source.split('\n');
    const text = (lines[this.line - 1] ?? '').replace(/\t/g, ' ');
    const width = Math.max(1, Math.min(this.length, text.length - (this.column - 1)));
    return `${this.message}\n  ${text}\n  ${' '.repeat(this.column - 1)}${'^'.repeat(width)}`;
  }
}

/** The source is not well-formed (unexpected character or token, unterminated string, ...). */
export class RuleSyntaxError extends RuleError {
  constructor(init: RuleErrorInit) {
    super(init);
    this.name = 'RuleSyntaxError';
  }
}

/** The source is well-formed but means nothing (unknown field, wrong operand type, bad regex, unknown list, ...). */
export class RuleTypeError extends RuleError {
  constructor(init: RuleErrorInit) {
    super(init);
    this.name = 'RuleTypeError';
  }
}

export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
