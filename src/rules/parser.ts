/** Parser: tokens → syntax tree. Precedence, loosest first: or, xor, and, not, comparison. */
import type {
  CallExpr, CompareOp, Expr, IndexExpr, IntLit, IpLit, ListRef, Literal, LogicalOp, RangeItem, SetItem, SetLit, ValueExpr,
} from './ast.ts';
import { RuleSyntaxError } from './errors.ts';
import { tokenize } from './lexer.ts';
import type { Token } from './lexer.ts';

/** Deepest nesting of parentheses, `not` and function calls. */
export const MAX_DEPTH = 64;

const COMPARE_WORDS: Record<string, CompareOp> = {
  eq: 'eq', ne: 'ne', lt: 'lt', le: 'le', gt: 'gt', ge: 'ge', contains: 'contains', matches: 'matches', wildcard: 'wildcard',
};
const COMPARE_SYMBOLS: Record<string, CompareOp> = {
  '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', '~': 'matches',
};
export const KEYWORDS: ReadonlySet<string> = new Set([
  'and', 'or', 'xor', 'not', 'in', 'true', 'false', 'strict', ...Object.keys(COMPARE_WORDS),
]);

export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof': return 'end of input';
    case 'string': return `a string ${JSON.stringify(t.text.length > 30 ? t.text.slice(0, 30) + '…' : t.text)}`;
    case 'int': return `the number ${t.text}`;
    case 'ip': return `the address ${t.text}`;
    case 'list': return `the list $${t.text}`;
    case 'punct': return `'${t.text}'`;
    case 'ident': return KEYWORDS.has(t.text) ? `'${t.text}'` : `'${t.text}'`;
  }
}

/** Parse an expression. Throws RuleSyntaxError. */
export function parseExpression(src: string): Expr {
  const p = new Parser(src, tokenize(src));
  const e = p.parseExpr();
  p.expectEnd();
  return e;
}

/** Parse a value expression alone (a field, an indexed field, a call) — used for rate-limit characteristics. */
export function parseValue(src: string): ValueExpr {
  const p = new Parser(src, tokenize(src));
  const v = p.parseValue('a field');
  p.expectEnd();
  return v;
}

class Parser {
  readonly #src: string;
  readonly #toks: Token[];
  #pos = 0;
  #depth = 0;

  constructor(src: string, toks: Token[]) {
    this.#src = src;
    this.#toks = toks;
  }

  #peek(k = 0): Token {
    return this.#toks[Math.min(this.#pos + k, this.#toks.length - 1)] as Token;
  }
  #next(): Token {
    const t = this.#peek();
    if (this.#pos < this.#toks.length - 1) this.#pos++;
    return t;
  }
  #isWord(t: Token, w: string): boolean {
    return t.kind === 'ident' && t.text === w;
  }
  #isPunct(t: Token, p: string): boolean {
    return t.kind === 'punct' && t.text === p;
  }
  #fail(message: string, t: Token, code = 'rules.syntax'): never {
    throw new RuleSyntaxError({ code, message, source: this.#src, offset: t.start, length: Math.max(1, t.end - t.start) });
  }
  #enter(t: Token): void {
    if (++this.#depth > MAX_DEPTH) this.#fail(`expression nested too deeply (limit ${MAX_DEPTH})`, t, 'rules.too_deep');
  }

  expectEnd(): void {
    const t = this.#peek();
    if (t.kind === 'eof') return;
    if (this.#isPunct(t, ')')) this.#fail("unexpected ')' without a matching '('", t);
    this.#fail(`expected 'and', 'or', 'xor' or the end of the expression, found ${describeToken(t)}`, t);
  }

  parseExpr(): Expr {
    return this.#parseBinary(0);
  }

  #parseBinary(level: number): Expr {
    if (level === 3) return this.#parseUnary();
    const ops: [string, string, LogicalOp][] = [['or', '||', 'or'], ['xor', '^^', 'xor'], ['and', '&&', 'and']];
    const [word, sym, op] = ops[level] as [string, string, LogicalOp];
    let left = this.#parseBinary(level + 1);
    while (true) {
      const t = this.#peek();
      if (!this.#isWord(t, word) && !this.#isPunct(t, sym)) return left;
      this.#next();
      const after = this.#peek();
      if (after.kind === 'eof' || this.#isPunct(after, ')')) {
        this.#fail(`expected a condition after '${t.text}', found ${describeToken(after)}`, after);
      }
      const right = this.#parseBinary(level + 1);
      left = { kind: 'logical', op, opSpan: { start: t.start, end: t.end }, left, right, start: left.start, end: right.end };
    }
  }

  #parseUnary(): Expr {
    const t = this.#peek();
    if (this.#isWord(t, 'not') || this.#isPunct(t, '!')) {
      this.#next();
      this.#enter(t);
      const after = this.#peek();
      if (after.kind === 'eof' || this.#isPunct(after, ')')) {
        this.#fail(`expected a condition after '${t.text}', found ${describeToken(after)}`, after);
      }
      const operand = this.#parseUnary();
      this.#depth--;
      return { kind: 'not', operand, start: t.start, end: operand.end };
    }
    if (this.#isPunct(t, '(')) {
      this.#next();
      this.#enter(t);
      const inner = this.parseExpr();
      const close = this.#peek();
      if (!this.#isPunct(close, ')')) {
        this.#fail(`expected ')' to close the '(' at column ${t.start + 1}, found ${describeToken(close)}`, close);
      }
      this.#next();
      this.#depth--;
      return { kind: 'group', inner, start: t.start, end: close.end };
    }
    return this.#parseComparison();
  }

  #parseComparison(): Expr {
    const left = this.parseValue('a field, a function call or a condition');
    const t = this.#peek();
    let op: CompareOp | undefined;
    let opEnd = t.end;
    if (t.kind === 'ident' && COMPARE_WORDS[t.text] !== undefined) op = COMPARE_WORDS[t.text];
    else if (t.kind === 'punct' && COMPARE_SYMBOLS[t.text] !== undefined) op = COMPARE_SYMBOLS[t.text];
    else if (this.#isWord(t, 'strict')) {
      const w = this.#peek(1);
      if (!this.#isWord(w, 'wildcard')) this.#fail(`expected 'wildcard' after 'strict', found ${describeToken(w)}`, w);
      op = 'strict_wildcard';
      opEnd = w.end;
      this.#next();
    } else if (this.#isWord(t, 'in')) {
      this.#next();
      const set = this.#parseSetOrList(t);
      return { kind: 'in', opSpan: { start: t.start, end: t.end }, left, set, start: left.start, end: set.end };
    } else if (this.#isWord(t, 'not') && this.#isWord(this.#peek(1), 'in')) {
      this.#fail("'not in' is written 'not <field> in {...}'", t);
    } else if (t.kind === 'ident' && !KEYWORDS.has(t.text)) {
      this.#fail(`expected an operator (eq, ne, lt, le, gt, ge, contains, matches, wildcard, in) or 'and'/'or', found ${describeToken(t)}`, t);
    } else if (t.kind === 'string' || t.kind === 'int' || t.kind === 'ip' || t.kind === 'list' || this.#isPunct(t, '{')) {
      this.#fail(`expected an operator (eq, ne, lt, le, gt, ge, contains, matches, wildcard, in) before ${describeToken(t)}`, t);
    }
    if (op === undefined) return left;
    this.#next();
    const opText = op === 'strict_wildcard' ? 'strict wildcard' : t.text;
    const right = this.parseValue(`a value after '${opText}'`);
    return { kind: 'compare', op, opSpan: { start: t.start, end: opEnd }, left, right, start: left.start, end: right.end };
  }

  parseValue(what: string): ValueExpr {
    let v = this.#parseAtom(what);
    while (this.#isPunct(this.#peek(), '[')) {
      const open = this.#next();
      const k = this.#next();
      let key: IndexExpr['key'];
      if (k.kind === 'string') key = { kind: 'key', value: k.text };
      else if (k.kind === 'int' && k.num >= 0) key = { kind: 'pos', value: k.num };
      else if (this.#isPunct(k, '*')) key = { kind: 'all' };
      else this.#fail(`expected a quoted key, a position or '*' after '[', found ${describeToken(k)}`, k);
      const close = this.#next();
      if (!this.#isPunct(close, ']')) this.#fail(`expected ']' to close the '[' at column ${open.start + 1}, found ${describeToken(close)}`, close);
      v = { kind: 'index', target: v, key, keySpan: { start: k.start, end: k.end }, start: v.start, end: close.end };
    }
    return v;
  }

  #parseAtom(what: string): ValueExpr {
    const t = this.#peek();
    switch (t.kind) {
      case 'string': this.#next(); return { kind: 'string', value: t.text, start: t.start, end: t.end };
      case 'int': this.#next(); return { kind: 'int', value: t.num, start: t.start, end: t.end };
      case 'ip': this.#next(); return { kind: 'ip', text: t.text, start: t.start, end: t.end };
      case 'ident': {
        if (t.text === 'true' || t.text === 'false') {
          this.#next();
          return { kind: 'bool', value: t.text === 'true', start: t.start, end: t.end };
        }
        if (KEYWORDS.has(t.text)) this.#fail(`expected ${what}, found the keyword '${t.text}'`, t);
        this.#next();
        if (this.#isPunct(this.#peek(), '(')) return this.#parseCall(t);
        return { kind: 'field', name: t.text, start: t.start, end: t.end };
      }
      case 'list':
        this.#fail(`a list like $${t.text} can only follow 'in'`, t);
      // falls through (unreachable: #fail throws)
      default:
        if (this.#isPunct(t, '{')) this.#fail(`a set like {...} can only follow 'in'`, t);
        this.#fail(`expected ${what}, found ${describeToken(t)}`, t);
    }
  }

  #parseCall(name: Token): CallExpr {
    const open = this.#next();
    this.#enter(open);
    const args: Expr[] = [];
    if (!this.#isPunct(this.#peek(), ')')) {
      while (true) {
        args.push(this.parseExpr());
        const t = this.#peek();
        if (this.#isPunct(t, ',')) { this.#next(); continue; }
        if (this.#isPunct(t, ')')) break;
        this.#fail(`expected ',' or ')' in the arguments of ${name.text}(), found ${describeToken(t)}`, t);
      }
    }
    const close = this.#next();
    this.#depth--;
    return { kind: 'call', name: name.text, nameSpan: { start: name.start, end: name.end }, args, start: name.start, end: close.end };
  }

  #parseSetOrList(inTok: Token): SetLit | ListRef {
    const t = this.#next();
    if (t.kind === 'list') return { kind: 'list', name: t.text, start: t.start, end: t.end };
    if (!this.#isPunct(t, '{')) this.#fail(`expected '{' or a list name like $my_list after 'in', found ${describeToken(t)}`, t);
    const items: SetItem[] = [];
    while (true) {
      const x = this.#peek();
      if (this.#isPunct(x, '}')) { this.#next(); break; }
      if (this.#isPunct(x, ',')) { this.#next(); continue; }
      if (x.kind === 'eof') this.#fail(`expected '}' to close the set opened at column ${t.start + 1}, found end of input`, x);
      items.push(this.#parseSetItem());
    }
    const close = this.#toks[this.#pos - 1] as Token;
    if (items.length === 0) {
      throw new RuleSyntaxError({
        code: 'rules.empty_set', message: `the set after '${inTok.text}' is empty; expected at least one value`,
        source: this.#src, offset: t.start, length: close.end - t.start,
      });
    }
    return { kind: 'set', items, start: t.start, end: close.end };
  }

  #parseSetItem(): SetItem {
    const t = this.#next();
    let lit: Literal;
    if (t.kind === 'string') lit = { kind: 'string', value: t.text, start: t.start, end: t.end };
    else if (t.kind === 'int') lit = { kind: 'int', value: t.num, start: t.start, end: t.end };
    else if (t.kind === 'ip') lit = { kind: 'ip', text: t.text, start: t.start, end: t.end };
    else if (this.#isWord(t, 'true') || this.#isWord(t, 'false')) lit = { kind: 'bool', value: t.text === 'true', start: t.start, end: t.end };
    else this.#fail(`expected a string, a number, an IP address or '}' in the set, found ${describeToken(t)}`, t);
    if (!this.#isPunct(this.#peek(), '..')) return lit;
    const dots = this.#next();
    if (lit.kind !== 'int' && lit.kind !== 'ip') this.#fail(`a range '..' needs numbers or IP addresses on both sides`, dots);
    const u = this.#next();
    let to: IntLit | IpLit;
    if (u.kind === 'int' && lit.kind === 'int') to = { kind: 'int', value: u.num, start: u.start, end: u.end };
    else if (u.kind === 'ip' && lit.kind === 'ip') to = { kind: 'ip', text: u.text, start: u.start, end: u.end };
    else this.#fail(`expected ${lit.kind === 'int' ? 'a number' : 'an IP address'} after '..', found ${describeToken(u)}`, u);
    const r: RangeItem = { kind: 'range', from: lit, to, start: lit.start, end: to.end };
    return r;
  }
}
