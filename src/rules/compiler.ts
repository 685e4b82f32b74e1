/**
 * Compiler: typed tree → closures. Runs once per snapshot; a request only calls closures (no tree walking).
 * Fields are read through the closures only when evaluation reaches them (and/or short-circuit, cheapest operand
 * first).
 *
 * Values marked `each` (made by `[*]`) never exist as arrays at run time: `any()`/`all()` compile their condition to
 * an element test `(element, req) => value` and loop over the source array, allocating nothing.
 */
import type { Ip } from '../lib/ip.ts';
import type { TNode } from './checker.ts';
import type { Value } from './fields.ts';
import type { RuleRequest } from './request.ts';
import { requiredLiteral } from './literal.ts';
import { DIRECT_FIELDS, sharedMemo } from './memo.ts';

export type Fn = (req: RuleRequest) => Value;
export type Pred = (req: RuleRequest) => boolean;
/** Maps one element of a `[*]` array to the value of an `each` node. */
type ElemFn = (x: Value, req: RuleRequest) => Value;

type CmpOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'contains';

const EMPTY: readonly Value[] = Object.freeze([]);

/** Compile a boolean node to a predicate. */
export function compilePredicate(n: TNode): Pred {
  return compileNode(n) as Pred;
}

/** Compile a node that is not `each`. */
export function compileNode(n: TNode): Fn {
  if (n.each) throw new Error('internal: a [*] value outside any()/all()');
  switch (n.k) {
    case 'const': {
      const v = n.value;
      return () => v;
    }
    case 'field': {
      const get = n.field.get;
      if (!get) throw new Error(`field ${n.field.name} has no reader`);
      return DIRECT_FIELDS.has(n.field.name) ? get : sharedMemo(n.field.name, get);
    }
    case 'lookup': {
      const lookup = n.field.lookup;
      const key = n.key;
      if (!lookup) throw new Error(`field ${n.field.name} has no lookup`);
      return (r) => lookup(r, key); // not memoised: lookups rarely repeat across rules, and the request indexes them
    }
    case 'pos': {
      const t = compileNode(n.target);
      const i = n.index;
      const fallback = defaultOf(n);
      return (r) => {
        const a = t(r) as readonly Value[];
        return i < a.length ? (a[i] as Value) : fallback;
      };
    }
    case 'unpack': throw new Error('internal: [*] outside any()/all()');
    case 'call': return compileCall(n);
    case 'reduce': return compileReduce(n);
    case 'cmp': {
      const left = compileNode(n.left);
      if (n.right.k === 'const') {
        if (n.left.type.kind !== 'ip') return cmpConst(n.op, left, n.right.value);
        const test = constTest(n.op, n.right.value, n.left.type.kind);
        return (r) => test(left(r));
      }
      const right = compileNode(n.right);
      const cmp = dynTest(n.op, n.left.type.kind);
      return (r) => cmp(left(r), right(r));
    }
    case 'regex': {
      const re = n.re;
      const key = memoKey(n.left);
      if (re.folded !== undefined && key !== undefined) {
        // case-insensitive wildcard: the lower-cased value is shared by every rule reading the same field
        const folded = re.folded;
        const lowered = lowerOf(key, compileNode(n.left));
        return (r) => folded.test(lowered(r) as string);
      }
      const left = compileNode(n.left);
      const lit = re instanceof RegExp && !re.flags.includes('i') ? requiredLiteral(re.source) : null;
      if (lit !== null) {
        return (r) => {
          const v = left(r) as string;
          return v.includes(lit) && re.test(v);
        };
      }
      return (r) => re.test(left(r) as string);
    }
    case 'inStrings': {
      const set = n.set;
      const left = compileNode(n.left);
      return (r) => set.has(left(r) as string);
    }
    case 'inInts': {
      const test = intSetTest(n);
      const left = compileNode(n.left);
      return (r) => test(left(r));
    }
    case 'inIps': {
      const set = n.set;
      const left = compileNode(n.left);
      return (r) => set.has(left(r) as Ip | null);
    }
    case 'not': {
      const f = compileNode(n.operand);
      return (r) => f(r) !== true;
    }
    case 'logic': return compileLogic(n);
  }
}

/** Compile an `each` node to its source array and an element function. */
function compileElem(n: TNode): { src: Fn; f: ElemFn } {
  switch (n.k) {
    case 'unpack': {
      const t = compileNode(n.target);
      return { src: (r) => (t(r) as readonly Value[] | null) ?? EMPTY, f: (x) => x };
    }
    case 'call': {
      const impl = n.fn.impl;
      const idx = n.args.findIndex((a) => a.each);
      const inner = compileElem(n.args[idx] as TNode);
      const others = n.args.map((a, i) => (i === idx ? null : compileNode(a)));
      const fast1 = n.fn.fast1;
      if (n.args.length === 1 && fast1) {
        const g = inner.f;
        return { src: inner.src, f: (x, r) => fast1(g(x, r)) };
      }
      return {
        src: inner.src,
        f: (x, r) => impl(others.map((o) => (o === null ? inner.f(x, r) : o(r)))),
      };
    }
    case 'cmp': {
      const inner = compileElem(n.left);
      const g = inner.f;
      if (n.right.k === 'const') {
        const test = constTest(n.op, n.right.value, n.left.type.kind);
        return { src: inner.src, f: (x, r) => test(g(x, r)) };
      }
      const right = compileNode(n.right);
      const cmp = dynTest(n.op, n.left.type.kind);
      return { src: inner.src, f: (x, r) => cmp(g(x, r), right(r)) };
    }
    case 'regex': {
      const inner = compileElem(n.left);
      const g = inner.f;
      const re = n.re;
      return { src: inner.src, f: (x, r) => re.test(g(x, r) as string) };
    }
    case 'inStrings': {
      const inner = compileElem(n.left);
      const g = inner.f;
      const set = n.set;
      return { src: inner.src, f: (x, r) => set.has(g(x, r) as string) };
    }
    case 'inInts': {
      const inner = compileElem(n.left);
      const g = inner.f;
      const test = intSetTest(n);
      return { src: inner.src, f: (x, r) => test(g(x, r)) };
    }
    case 'inIps': {
      const inner = compileElem(n.left);
      const g = inner.f;
      const set = n.set;
      return { src: inner.src, f: (x, r) => set.has(g(x, r) as Ip | null) };
    }
    case 'not': {
      const inner = compileElem(n.operand);
      const g = inner.f;
      return { src: inner.src, f: (x, r) => g(x, r) !== true };
    }
    default:
      throw new Error(`internal: node ${n.k} cannot be an element of [*]`);
  }
}

function compileReduce(n: TNode & { k: 'reduce' }): Fn {
  const { src, f } = compileElem(n.arg);
  if (n.fn === 'any') {
    return (r) => {
      const a = src(r) as readonly Value[];
      for (let i = 0; i < a.length; i++) if (f(a[i] as Value, r) === true) return true;
      return false;
    };
  }
  return (r) => {
    const a = src(r) as readonly Value[];
    for (let i = 0; i < a.length; i++) if (f(a[i] as Value, r) !== true) return false;
    return true;
  };
}

/**
 * Rough relative cost of evaluating a node, used to run the cheap operands of `and`/`or` first (operands are pure,
 * so the order does not change the result, only how soon it is known).
 */
export function cost(n: TNode): number {
  switch (n.k) {
    case 'const': return 0;
    case 'field': return n.field.name === 'ip.src' ? 3 : n.field.name.startsWith('http.request.headers') || n.field.name.startsWith('http.request.uri.args') ? 4 : 1;
    case 'lookup': return 4;
    case 'pos': return 1 + cost(n.target);
    case 'unpack': return 1 + cost(n.target);
    case 'call': return 4 + n.args.reduce((a, x) => a + cost(x), 0);
    case 'reduce': return 10 + cost(n.arg);
    case 'cmp': return 1 + cost(n.left) + cost(n.right);
    case 'regex': return 20 + cost(n.left);
    case 'inStrings':
    case 'inInts': return 2 + cost(n.left);
    case 'inIps': return 4 + cost(n.left);
    case 'not': return 1 + cost(n.operand);
    case 'logic': return 1 + n.operands.reduce((a, x) => a + cost(x), 0);
  }
}

function compileLogic(n: TNode & { k: 'logic' }): Fn {
  const ordered = n.op === 'xor' ? n.operands : n.operands.map((x, i) => ({ x, i, c: cost(x) })).sort((a, b) => a.c - b.c || a.i - b.i).map((o) => o.x);
  const fs = ordered.map(compileNode);
  if (fs.length === 2) {
    const a = fs[0] as Fn;
    const b = fs[1] as Fn;
    if (n.op === 'and') return (r) => a(r) === true && b(r) === true;
    if (n.op === 'or') return (r) => a(r) === true || b(r) === true;
    return (r) => (a(r) === true) !== (b(r) === true);
  }
  if (fs.length === 3 && n.op !== 'xor') {
    const a = fs[0] as Fn;
    const b = fs[1] as Fn;
    const c = fs[2] as Fn;
    if (n.op === 'and') return (r) => a(r) === true && b(r) === true && c(r) === true;
    return (r) => a(r) === true || b(r) === true || c(r) === true;
  }
  if (n.op === 'and') {
    return (r) => {
      for (let i = 0; i < fs.length; i++) if ((fs[i] as Fn)(r) !== true) return false;
      return true;
    };
  }
  if (n.op === 'or') {
    return (r) => {
      for (let i = 0; i < fs.length; i++) if ((fs[i] as Fn)(r) === true) return true;
      return false;
    };
  }
  return (r) => {
    let x = false;
    for (let i = 0; i < fs.length; i++) x = x !== ((fs[i] as Fn)(r) === true);
    return x;
  };
}

function defaultOf(n: TNode): Value {
  switch (n.type.kind) {
    case 'string': return '';
    case 'int': return 0;
    case 'bool': return false;
    case 'ip': return null;
    default: return EMPTY;
  }
}

function intSetTest(n: TNode & { k: 'inInts' }): (v: Value) => boolean {
  const set = n.set;
  const ranges = n.ranges;
  if (ranges.length === 0) return (v) => set.has(v as number);
  return (v) => {
    const x = v as number;
    if (set.has(x)) return true;
    for (const [a, b] of ranges) if (x >= a && x <= b) return true;
    return false;
  };
}

const sameIp = (a: Value, b: Value): boolean =>
  a !== null && b !== null && (a as Ip).version === (b as Ip).version && (a as Ip).value === (b as Ip).value;

/** `value op constant` (IP constants were turned into sets by the checker). */
function constTest(op: CmpOp, b: Value, kind: string): (v: Value) => boolean {
  if (kind === 'ip') return op === 'eq' ? (v) => sameIp(v, b) : (v) => !sameIp(v, b);
  switch (op) {
    case 'eq': return (v) => v === b;
    case 'ne': return (v) => v !== b;
    case 'lt': return (v) => (v as number) < (b as number);
    case 'le': return (v) => (v as number) <= (b as number);
    case 'gt': return (v) => (v as number) > (b as number);
    case 'ge': return (v) => (v as number) >= (b as number);
    case 'contains': {
      const needle = b as string;
      return (v) => (v as string).includes(needle);
    }
  }
}

/**
 * `left op constant` with one closure site per operator, so each site's inline caches see one operator (the hot path
 * of most rules).
 */
function cmpConst(op: CmpOp, left: Fn, b: Value): Fn {
  switch (op) {
    case 'eq': return (r) => left(r) === b;
    case 'ne': return (r) => left(r) !== b;
    case 'lt': return (r) => (left(r) as number) < (b as number);
    case 'le': return (r) => (left(r) as number) <= (b as number);
    case 'gt': return (r) => (left(r) as number) > (b as number);
    case 'ge': return (r) => (left(r) as number) >= (b as number);
    case 'contains': {
      const needle = b as string;
      return (r) => (left(r) as string).includes(needle);
    }
  }
}

/** `value op value`, both read per request (field-to-field comparisons). */
function dynTest(op: CmpOp, kind: string): (a: Value, b: Value) => boolean {
  if (kind === 'ip') return op === 'eq' ? sameIp : (a, b) => !sameIp(a, b);
  switch (op) {
    case 'eq': return (a, b) => a === b;
    case 'ne': return (a, b) => a !== b;
    case 'lt': return (a, b) => (a as number) < (b as number);
    case 'le': return (a, b) => (a as number) <= (b as number);
    case 'gt': return (a, b) => (a as number) > (b as number);
    case 'ge': return (a, b) => (a as number) >= (b as number);
    case 'contains': return (a, b) => (a as string).includes(b as string);
  }
}

/** The key naming a plain field or map lookup (for shared per-request values), else undefined. */
function memoKey(n: TNode): string | undefined {
  if (n.each) return undefined;
  if (n.k === 'field') return n.field.name;
  if (n.k === 'lookup') return `${n.field.name}[${JSON.stringify(n.key)}]`;
  return undefined;
}

function lowerOf(key: string, f: Fn): Fn {
  return sharedMemo(`lower(${key})`, (r) => (f(r) as string).toLowerCase());
}

function compileCall(n: TNode & { k: 'call' }): Fn {
  const impl = n.fn.impl;
  if (n.args.length === 1 && (n.fn.name === 'lower' || n.fn.name === 'upper')) {
    const key = memoKey(n.args[0] as TNode);
    if (key !== undefined) {
      const f = compileNode(n.args[0] as TNode);
      return n.fn.name === 'lower' ? lowerOf(key, f) : sharedMemo(`upper(${key})`, (r) => (f(r) as string).toUpperCase());
    }
  }
  const args = n.args.map(compileNode);
  const fast1 = n.fn.fast1;
  if (args.length === 1 && fast1) {
    const a0 = args[0] as Fn;
    return (r) => fast1(a0(r));
  }
  const fast2 = n.fn.fast2;
  if (args.length === 2 && fast2) {
    const a0 = args[0] as Fn;
    const second = n.args[1] as TNode;
    if (second.k === 'const') {
      const b = second.value;
      return (r) => fast2(a0(r), b);
    }
    const a1 = args[1] as Fn;
    return (r) => fast2(a0(r), a1(r));
  }
  if (args.length === 1) {
    const a0 = args[0] as Fn;
    return (r) => impl([a0(r)]);
  }
  return (r) => impl(args.map((f) => f(r)));
}
