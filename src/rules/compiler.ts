/**
 * Compiler: typed tree → closures. Runs once per snapshot; a request only calls closures (no tree walking).
 * Fields are read through the closures only when evaluation reaches them (and/or short-circuit).
 */
import type { Ip, IpSet } from '../lib/ip.ts';
import type { TNode } from './checker.ts';
import type { Value } from './fields.ts';
import type { RuleRequest } from './request.ts';

export type Fn = (req: RuleRequest) => Value;
export type Pred = (req: RuleRequest) => boolean;

const EMPTY: readonly Value[] = Object.freeze([]);

/** Compile a boolean node to a predicate. */
export function compilePredicate(n: TNode): Pred {
  const f = compileNode(n);
  return f as Pred;
}

/** Compile any node; `each` nodes return arrays. */
export function compileNode(n: TNode): Fn {
  switch (n.k) {
    case 'const': {
      const v = n.value;
      return () => v;
    }
    case 'field': {
      const get = n.field.get;
      if (!get) throw new Error(`field ${n.field.name} has no reader`);
      return get;
    }
    case 'lookup': {
      const lookup = n.field.lookup;
      const key = n.key;
      if (!lookup) throw new Error(`field ${n.field.name} has no lookup`);
      return (r) => lookup(r, key);
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
    case 'unpack': {
      const t = compileNode(n.target);
      return (r) => (t(r) as readonly Value[] | null) ?? EMPTY;
    }
    case 'call': return compileCall(n);
    case 'reduce': {
      const arg = compileNode(n.arg);
      if (n.fn === 'any') {
        return (r) => {
          const a = arg(r) as readonly Value[];
          for (let i = 0; i < a.length; i++) if (a[i] === true) return true;
          return false;
        };
      }
      return (r) => {
        const a = arg(r) as readonly Value[];
        for (let i = 0; i < a.length; i++) if (a[i] !== true) return false;
        return true;
      };
    }
    case 'cmp': {
      if (n.right.k === 'const' && !n.left.each && n.left.type.kind !== 'ip') return cmpConst(n.op, compileNode(n.left), n.right.value);
      const mk = cmpOp(n.op, compileNode(n.right), n.left.type.kind);
      if (n.right.k === 'const') return liftStatic(n.left.each, compileNode(n.left), mk(CONST_REQ));
      return lift(n.left.each, compileNode(n.left), mk);
    }
    case 'regex': {
      const re = n.re;
      if (!n.left.each) {
        const left = compileNode(n.left);
        return (r) => re.test(left(r) as string);
      }
      return liftStatic(true, compileNode(n.left), (v) => re.test(v as string));
    }
    case 'inStrings': {
      const set = n.set;
      if (!n.left.each) {
        const left = compileNode(n.left);
        return (r) => set.has(left(r) as string);
      }
      return liftStatic(true, compileNode(n.left), (v) => set.has(v as string));
    }
    case 'inInts': {
      const set = n.set;
      const ranges = n.ranges;
      if (ranges.length === 0) return liftStatic(n.left.each, compileNode(n.left), (v) => set.has(v as number));
      return liftStatic(n.left.each, compileNode(n.left), (v) => {
        const x = v as number;
        if (set.has(x)) return true;
        for (const [a, b] of ranges) if (x >= a && x <= b) return true;
        return false;
      });
    }
    case 'inIps': {
      const set: IpSet = n.set;
      if (!n.left.each) {
        const left = compileNode(n.left);
        return (r) => set.has(left(r) as Ip | null);
      }
      return liftStatic(true, compileNode(n.left), (v) => set.has(v as Ip | null));
    }
    case 'not': {
      const f = compileNode(n.operand);
      if (n.each) return (r) => (f(r) as readonly Value[]).map((x) => x !== true);
      return (r) => f(r) !== true;
    }
    case 'logic': {
      const fs = n.operands.map(compileNode);
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
  }
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

/**
 * Apply `mk(req)`'s test to the left value, or to each element of it when it is a `[*]` array.
 * `mk` receives the request so a right-hand side that is itself a field is read once per evaluation.
 */
function lift(each: boolean, left: Fn, mk: (r: RuleRequest) => (v: Value) => boolean): Fn {
  if (each) {
    return (r) => {
      const a = left(r) as readonly Value[];
      const test = mk(r);
      const out = new Array<boolean>(a.length);
      for (let i = 0; i < a.length; i++) out[i] = test(a[i] as Value);
      return out;
    };
  }
  return (r) => mk(r)(left(r));
}

/** Stand-in request for reading a constant right-hand side once at compile time (constants ignore it). */
const CONST_REQ = {} as RuleRequest;

/** `left op constant`, specialised per operator (the hot path of most rules). */
function cmpConst(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'contains', left: Fn, b: Value): Fn {
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

function liftStatic(each: boolean, left: Fn, test: (v: Value) => boolean): Fn {
  if (each) {
    return (r) => {
      const a = left(r) as readonly Value[];
      const out = new Array<boolean>(a.length);
      for (let i = 0; i < a.length; i++) out[i] = test(a[i] as Value);
      return out;
    };
  }
  return (r) => test(left(r));
}

function cmpOp(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'contains', right: Fn, kind: string): (r: RuleRequest) => (v: Value) => boolean {
  if (kind === 'ip') {
    // field-to-field IP comparison (constants were turned into sets by the checker)
    const same = (a: Value, b: Value): boolean =>
      a !== null && b !== null && (a as Ip).version === (b as Ip).version && (a as Ip).value === (b as Ip).value;
    if (op === 'eq') return (r) => { const b = right(r); return (v) => same(v, b); };
    return (r) => { const b = right(r); return (v) => !same(v, b); };
  }
  switch (op) {
    case 'eq': return (r) => { const b = right(r); return (v) => v === b; };
    case 'ne': return (r) => { const b = right(r); return (v) => v !== b; };
    case 'lt': return (r) => { const b = right(r) as number; return (v) => (v as number) < b; };
    case 'le': return (r) => { const b = right(r) as number; return (v) => (v as number) <= b; };
    case 'gt': return (r) => { const b = right(r) as number; return (v) => (v as number) > b; };
    case 'ge': return (r) => { const b = right(r) as number; return (v) => (v as number) >= b; };
    case 'contains': return (r) => { const b = right(r) as string; return (v) => (v as string).includes(b); };
  }
}

function compileCall(n: TNode & { k: 'call' }): Fn {
  const impl = n.fn.impl;
  const args = n.args.map(compileNode);
  const eachIdx = n.args.findIndex((a) => a.each);
  if (eachIdx >= 0) {
    return (r) => {
      const vals = args.map((f) => f(r));
      const arr = vals[eachIdx] as readonly Value[];
      return arr.map((x) => {
        vals[eachIdx] = x;
        return impl(vals);
      });
    };
  }
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
