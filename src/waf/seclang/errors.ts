/** A SecLang configuration error, with the position of the offending text and what was expected. */
export class WafConfigError extends Error {
  readonly code = 'waf.config';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  constructor(file: string, line: number, column: number, message: string) {
    super(`${file}:${line}:${column}: ${message}`);
    this.name = 'WafConfigError';
    this.file = file;
    this.line = line;
    this.column = column;
  }
}
