/** The syntax tree. Every node carries its source span [start, end). */

export interface Span {
  readonly start: number;
  readonly end: number;
}

export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'contains' | 'matches' | 'wildcard' | 'strict_wildcard';
export type LogicalOp = 'and' | 'or' | 'xor';

export interface StringLit extends Span { readonly kind: 'string'; readonly value: string }
export interface IntLit extends Span { readonly kind: 'int'; readonly value: number }
/** An IP address or CIDR as written; validated by the checker. */
export interface IpLit extends Span { readonly kind: 'ip'; readonly text: string }
export interface BoolLit extends Span { readonly kind: 'bool'; readonly value: boolean }
export type Literal = StringLit | IntLit | IpLit | BoolLit;

export interface FieldRef extends Span { readonly kind: 'field'; readonly name: string }
export interface IndexExpr extends Span {
  readonly kind: 'index';
  readonly target: ValueExpr;
  /** A map key, an array position, or `*` (every element; only inside any()/all()). */
  readonly key: { readonly kind: 'key'; readonly value: string } | { readonly kind: 'pos'; readonly value: number } | { readonly kind: 'all' };
  readonly keySpan: Span;
}
export interface CallExpr extends Span {
  readonly kind: 'call';
  readonly name: string;
  readonly nameSpan: Span;
  readonly args: readonly Expr[];
}
export type ValueExpr = FieldRef | IndexExpr | CallExpr | Literal;

export interface RangeItem extends Span { readonly kind: 'range'; readonly from: IntLit | IpLit; readonly to: IntLit | IpLit }
export type SetItem = Literal | RangeItem;
export interface SetLit extends Span { readonly kind: 'set'; readonly items: readonly SetItem[] }
export interface ListRef extends Span { readonly kind: 'list'; readonly name: string }

export interface CompareExpr extends Span {
  readonly kind: 'compare';
  readonly op: CompareOp;
  readonly opSpan: Span;
  readonly left: ValueExpr;
  readonly right: ValueExpr;
}
export interface InExpr extends Span {
  readonly kind: 'in';
  readonly opSpan: Span;
  readonly left: ValueExpr;
  readonly set: SetLit | ListRef;
}
export interface NotExpr extends Span { readonly kind: 'not'; readonly operand: Expr }
export interface LogicalExpr extends Span {
  readonly kind: 'logical';
  readonly op: LogicalOp;
  readonly opSpan: Span;
  readonly left: Expr;
  readonly right: Expr;
}
/** A parenthesised expression, kept so spans and printing stay faithful. */
export interface GroupExpr extends Span { readonly kind: 'group'; readonly inner: Expr }

export type Expr = CompareExpr | InExpr | NotExpr | LogicalExpr | GroupExpr | ValueExpr;

/** Canonical text of a tree (used by golden tests): fully parenthesised, word operators. */
export function printExpr(e: Expr | SetLit | ListRef | SetItem): string {
  switch (e.kind) {
    case 'string': return JSON.stringify(e.value);
    case 'int': return String(e.value);
    case 'ip': return e.text;
    case 'bool': return String(e.value);
    case 'field': return e.name;
    case 'index': {
      const k = e.key.kind === 'key' ? JSON.stringify(e.key.value) : e.key.kind === 'pos' ? String(e.key.value) : '*';
      return `${printExpr(e.target)}[${k}]`;
    }
    case 'call': return `${e.name}(${e.args.map(printExpr).join(', ')})`;
    case 'range': return `${printExpr(e.from)}..${printExpr(e.to)}`;
    case 'set': return `{${e.items.map(printExpr).join(' ')}}`;
    case 'list': return `$${e.name}`;
    case 'compare': return `(${printExpr(e.left)} ${e.op === 'strict_wildcard' ? 'strict wildcard' : e.op} ${printExpr(e.right)})`;
    case 'in': return `(${printExpr(e.left)} in ${printExpr(e.set)})`;
    case 'not': return `(not ${printExpr(e.operand)})`;
    case 'logical': return `(${printExpr(e.left)} ${e.op} ${printExpr(e.right)})`;
    case 'group': return printExpr(e.inner);
  }
}
