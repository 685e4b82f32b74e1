/** SecLang text → directives. */
export { lex } from './lexer.ts';
export type { DirectiveToken, Position } from './lexer.ts';
export { WafConfigError } from './errors.ts';
export { parseActionList } from './action-list.ts';
export type { RawAction } from './action-list.ts';
export { parseVariableList } from './variable-list.ts';
export type { RawVariable } from './variable-list.ts';
