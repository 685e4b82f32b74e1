/**
 * Type checker: syntax tree → typed tree. Resolves fields, functions and lists, validates literals, compiles regexes
 * and sets, and reports every problem as a RuleTypeError pointing at the offending span.
 */
import { IpSet, IpSetEntryError, parseCidr, parseIp, parseIpEntry } from '../lib/ip.ts';
import type { Ip, IpRange } from '../lib/ip.ts';
import { RegexCompileError } from '../lib/regex.ts';
import { compilePattern } from './pattern.ts';
import type { RegexEngine } from './pattern.ts';
import type { CompareOp, Expr, InExpr, IpLit, Literal, Span, ValueExpr } from './ast.ts';
import { RuleTypeError } from './errors.ts';
import { FIELDS } from './fields.ts';
import type { FieldDef, Value } from './fields.ts';
import { FUNCTIONS } from './functions.ts';
import type { FunctionDef } from './functions.ts';
import { asnListSet, ipListSet, listNames, resolveList, stringListSet } from './lists.ts';
import type { ListResolver } from './lists.ts';
import { nearest } from './suggest.ts';
import { BOOL, INT, IP, STRING, typeName } from './types.ts';
import type { Type } from './types.ts';
import { compileWildcard } from './wildcard.ts';
import type { Matcher } from './wildcard.ts';

interface Typed {
  readonly type: Type;
  /** True when the value is an array produced by `[*]`: operations apply to each element. */
  readonly each: boolean;
}

export type TNode = Typed & (
  | { readonly k: 'const'; readonly value: Value }
  | { readonly k: 'field'; readonly field: FieldDef }
  | { readonly k: 'lookup'; readonly field: FieldDef; readonly key: string }
  | { readonly k: 'pos'; readonly target: TNode; readonly index: number }
  | { readonly k: 'unpack'; readonly target: TNode }
  | { readonly k: 'call'; readonly fn: FunctionDef; readonly args: readonly TNode[] }
  | { readonly k: 'reduce'; readonly fn: 'any' | 'all'; readonly arg: TNode }
  | { readonly k: 'cmp'; readonly op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'contains'; readonly left: TNode; readonly right: TNode }
  | { readonly k: 'regex'; readonly left: TNode; readonly re: Matcher }
  | { readonly k: 'inStrings'; readonly left: TNode; readonly set: ReadonlySet<string> }
  | { readonly k: 'inInts'; readonly left: TNode; readonly set: ReadonlySet<number>; readonly ranges: readonly (readonly [number, number])[] }
  | { readonly k: 'inIps'; readonly left: TNode; readonly set: IpSet }
  | { readonly k: 'not'; readonly operand: TNode }
  | { readonly k: 'logic'; readonly op: 'and' | 'or' | 'xor'; readonly operands: readonly TNode[] }
);

export interface CheckOptions {
  readonly lists?: ListResolver | undefined;
  readonly regexEngine?: RegexEngine | undefined;
}

export interface CheckResult {
  readonly root: TNode;
  /** Names of the fields the expression reads. */
  readonly fields: ReadonlySet<string>;
}

const OP_TEXT: Record<CompareOp, string> = {
  eq: 'eq', ne: 'ne', lt: 'lt', le: 'le', gt: 'gt', ge: 'ge', contains: 'contains', matches: 'matches', wildcard: 'wildcard', strict_wildcard: 'strict wildcard',
};

export function checkExpression(src: string, root: Expr, opts: CheckOptions = {}): CheckResult {
  const c = new Checker(src, opts);
  const node = c.condition(root, 'the expression');
  return { root: node, fields: c.fields };
}

export function checkValue(src: string, root: ValueExpr): CheckResult {
  const c = new Checker(src, {});
  return { root: c.value(root), fields: c.fields };
}

class Checker {
  readonly #src: string;
  readonly #lists: ListResolver | undefined;
  readonly #engine: RegexEngine;
  readonly fields = new Set<string>();

  constructor(src: string, opts: CheckOptions) {
    this.#src = src;
    this.#lists = opts.lists;
    this.#engine = opts.regexEngine ?? 'fast';
  }

  fail(message: string, span: Span, code = 'rules.type'): never {
    throw new RuleTypeError({ code, message, source: this.#src, offset: span.start, length: span.end - span.start });
  }

  /** An expression in a position that needs a boolean: the whole expression, an operand of and/or/xor/not. */
  condition(e: Expr, where: string): TNode {
    const n = this.expr(e);
    if (n.each) {
      this.fail(`a [*] condition must be wrapped in any(...) or all(...)`, e, 'rules.unwrapped_each');
    }
    if (n.type.kind !== 'bool') {
      const hint = n.type.kind === 'string' ? ', e.g. ' + this.#text(e) + ' eq "..."' : '';
      this.fail(`expected a condition (a boolean) as ${where}, found ${typeName(n.type)}; compare it with an operator${hint}`, e);
    }
    return n;
  }

  expr(e: Expr): TNode {
    switch (e.kind) {
      case 'group': return this.expr(e.inner);
      case 'not': {
        const operand = this.expr(e.operand);
        if (operand.type.kind !== 'bool') this.fail(`expected a condition after 'not', found ${typeName(operand.type)}`, e.operand);
        return { k: 'not', operand, type: BOOL, each: operand.each };
      }
      case 'logical': {
        // flatten a chain of the same operator iteratively, so long chains cost no stack depth
        const parts: Expr[] = [];
        let cur: Expr = e;
        while (cur.kind === 'logical' && cur.op === e.op) {
          parts.push(cur.right);
          cur = cur.left;
        }
        parts.push(cur);
        parts.reverse();
        const operands = parts.map((p) => this.condition(p, `an operand of '${e.op}'`));
        return { k: 'logic', op: e.op, operands, type: BOOL, each: false };
      }
      case 'compare': return this.#compare(e.op, e.opSpan, e.left, e.right);
      case 'in': return this.#in(e);
      default: return this.value(e);
    }
  }

  value(e: ValueExpr): TNode {
    switch (e.kind) {
      case 'string': return { k: 'const', value: e.value, type: STRING, each: false };
      case 'int': return { k: 'const', value: e.value, type: INT, each: false };
      case 'bool': return { k: 'const', value: e.value, type: BOOL, each: false };
      case 'ip': {
        if (e.text.includes('/')) this.fail(`a network like ${e.text} can only be used in a set: write 'in {${e.text}}'`, e);
        return { k: 'const', value: this.#ip(e), type: IP, each: false };
      }
      case 'field': {
        const f = this.#field(e.name, e);
        if (f.type.kind === 'map') {
          this.fail(`${f.name} is ${typeName(f.type)}; pick a key, e.g. ${f.name}["name"]`, e);
        }
        return { k: 'field', field: f, type: f.type, each: false };
      }
      case 'index': {
        if (e.target.kind === 'field') {
          const f = this.#field(e.target.name, e.target);
          if (f.type.kind === 'map') {
            if (e.key.kind !== 'key') this.fail(`expected a quoted key for ${f.name}, e.g. ${f.name}["name"]`, e.keySpan);
            const key = f.lowerKeys ? e.key.value.toLowerCase() : e.key.value;
            return { k: 'lookup', field: f, key, type: f.type.of, each: false };
          }
        }
        const target = this.value(e.target);
        if (target.each) this.fail(`cannot index a [*] value again`, e.keySpan);
        if (target.type.kind !== 'array') this.fail(`cannot index ${typeName(target.type)}; only arrays and maps take [...]`, e.keySpan);
        if (e.key.kind === 'key') this.fail(`expected a position or '*' to index an array, found a string key`, e.keySpan);
        if (e.key.kind === 'all') return { k: 'unpack', target, type: target.type.of, each: true };
        return { k: 'pos', target, index: e.key.value, type: target.type.of, each: false };
      }
      case 'call': return this.#call(e);
    }
  }

  #text(s: Span): string {
    const t = this.#src.slice(s.start, s.end);
    return t.length > 40 ? t.slice(0, 40) + '…' : t;
  }

  #field(name: string, span: Span): FieldDef {
    const f = FIELDS.get(name);
    if (f) {
      this.fields.add(name);
      return f;
    }
    if (FUNCTIONS.has(name)) this.fail(`${name} is a function: call it like ${name}(...)`, span, 'rules.unknown_field');
    const near = nearest(name, FIELDS.keys());
    this.fail(`unknown field '${name}'${near ? `; did you mean '${near}'?` : ''}`, span, 'rules.unknown_field');
  }

  #ip(e: IpLit): Ip {
    const ip = parseIp(e.text);
    if (!ip) this.fail(`invalid IP address '${e.text}'`, e, 'rules.bad_ip');
    return ip;
  }

  #call(e: ValueExpr & { kind: 'call' }): TNode {
    const fn = FUNCTIONS.get(e.name);
    if (!fn) {
      const near = nearest(e.name, FUNCTIONS.keys());
      const asField = FIELDS.has(e.name) ? `; ${e.name} is a field, not a function` : '';
      this.fail(`unknown function '${e.name}'${near ? `; did you mean '${near}'?` : asField}`, e.nameSpan, 'rules.unknown_function');
    }
    if (fn.kind === 'any' || fn.kind === 'all') {
      if (e.args.length !== 1) this.fail(`${fn.name}() takes 1 argument, found ${e.args.length}`, e);
      const argExpr = e.args[0] as Expr;
      const arg = this.expr(argExpr);
      if (arg.type.kind !== 'bool' || !arg.each) {
        this.fail(`${fn.name}() expects a condition over a [*] array, e.g. ${fn.name}(http.request.headers["x-a"][*] contains "b"), found ${arg.each ? 'values' : typeName(arg.type)}`, argExpr);
      }
      return { k: 'reduce', fn: fn.kind, arg, type: BOOL, each: false };
    }
    const args = e.args.map((a) => this.expr(a));
    const eachCount = args.filter((a) => a.each).length;
    if (eachCount > 1) this.fail(`only one argument of ${fn.name}() may use [*]`, e);
    const r = fn.check(args.map((a) => a.type));
    if ('error' in r) this.fail(r.error, r.arg >= 0 ? (e.args[r.arg] as Expr) : e);
    return { k: 'call', fn, args, type: r.type, each: eachCount === 1 };
  }

  #compare(op: CompareOp, opSpan: Span, leftExpr: ValueExpr, rightExpr: ValueExpr): TNode {
    const left = this.value(leftExpr);
    const opText = OP_TEXT[op];
    const lt = left.type;
    if (lt.kind === 'array' || lt.kind === 'map') {
      this.fail(`'${opText}' cannot compare ${typeName(lt)}; test its elements with any(${this.#text(leftExpr)}[*] ${opText} ...) or pick one with [0]`, leftExpr);
    }
    if (op === 'matches' || op === 'wildcard' || op === 'strict_wildcard') {
      if (lt.kind !== 'string') this.fail(`'${opText}' needs a string on its left, found ${typeName(lt)}`, leftExpr);
      if (rightExpr.kind !== 'string') this.fail(`expected a quoted pattern after '${opText}', found ${this.#describe(rightExpr)}`, rightExpr);
      let re: Matcher;
      try {
        re = op === 'matches' ? compilePattern(rightExpr.value, this.#engine) : compileWildcard(rightExpr.value, op === 'strict_wildcard');
      } catch (err) {
        if (err instanceof RegexCompileError) {
          const why = /linear/.test(err.message) ? ' (patterns run on a linear-time engine: no back-references or lookahead)' : '';
          this.fail(`invalid or unsafe pattern: ${err.message}${why}`, rightExpr, 'rules.bad_regex');
        }
        throw err;
      }
      // `wildcard` lower-cases the value itself: lower() around its left side is redundant work
      const l = op === 'wildcard' && left.k === 'call' && left.fn.name === 'lower' ? (left.args[0] as TNode) : left;
      return { k: 'regex', left: l, re, type: BOOL, each: l.each };
    }
    const right = this.value(rightExpr);
    if (right.each) this.fail(`[*] is only allowed on the left of '${opText}'`, rightExpr);
    if (op === 'contains') {
      if (lt.kind !== 'string') this.fail(`'contains' needs a string on its left, found ${typeName(lt)}`, leftExpr);
      if (right.type.kind !== 'string') this.fail(`expected a string after 'contains', found ${typeName(right.type)}`, rightExpr);
      return { k: 'cmp', op, left, right, type: BOOL, each: left.each };
    }
    if ((op === 'lt' || op === 'le' || op === 'gt' || op === 'ge') && lt.kind !== 'int' && lt.kind !== 'string') {
      this.fail(`'${opText}' orders numbers or strings, found ${typeName(lt)} on its left`, leftExpr);
    }
    if (right.type.kind !== lt.kind) {
      const hint = lt.kind === 'ip' && rightExpr.kind === 'string' && parseIp(rightExpr.value) ? '; write addresses without quotes'
        : lt.kind === 'int' && rightExpr.kind === 'string' && /^-?\d+$/.test(rightExpr.value) ? '; write numbers without quotes' : '';
      this.fail(`expected ${typeName(lt)} after '${opText}', found ${typeName(right.type)}${hint}`, rightExpr);
    }
    if (lt.kind === 'ip' && right.k === 'const') {
      // compile `ip eq 1.2.3.4` to a one-address set lookup
      const ip = right.value as Ip;
      const set = IpSet.fromRanges([ip.version === 4 ? { version: 4, start: ip.value, end: ip.value } : { version: 6, start: ip.value, end: ip.value }]);
      const node: TNode = { k: 'inIps', left, set, type: BOOL, each: left.each };
      return op === 'eq' ? node : { k: 'not', operand: node, type: BOOL, each: left.each };
    }
    void opSpan;
    return { k: 'cmp', op: op as 'eq', left, right, type: BOOL, each: left.each };
  }

  #describe(e: ValueExpr): string {
    switch (e.kind) {
      case 'string': return 'a string';
      case 'int': return 'a number';
      case 'ip': return 'an IP address';
      case 'bool': return 'a boolean';
      case 'field': return `the field ${e.name}`;
      case 'call': return `a call to ${e.name}()`;
      default: return `'${this.#text(e)}'`;
    }
  }

  #in(e: InExpr): TNode {
    const left = this.value(e.left);
    const lt = left.type;
    if (lt.kind === 'array' || lt.kind === 'map') {
      this.fail(`'in' cannot test ${typeName(lt)}; test its elements with any(${this.#text(e.left)}[*] in {...})`, e.left);
    }
    const each = left.each;
    if (e.set.kind === 'list') {
      const list = resolveList(this.#lists, e.set.name);
      if (!list) {
        const near = nearest(e.set.name, listNames(this.#lists));
        this.fail(`unknown list $${e.set.name}${near ? `; did you mean $${near}?` : ''}`, e.set, 'rules.unknown_list');
      }
      const want = lt.kind === 'ip' ? 'ip' : lt.kind === 'int' ? 'asn' : lt.kind === 'string' ? 'string' : undefined;
      if ((list.kind === 'hostname' ? 'string' : list.kind) !== want) {
        this.fail(`list $${e.set.name} holds ${list.kind === 'ip' ? 'IP addresses' : list.kind === 'asn' ? 'AS numbers' : list.kind === 'hostname' ? 'host names' : 'strings'}, but the left of 'in' is ${typeName(lt)}`, e.set, 'rules.list_type');
      }
      try {
        if (list.kind === 'ip') return { k: 'inIps', left, set: ipListSet(list), type: BOOL, each };
        if (list.kind === 'asn') return { k: 'inInts', left, set: asnListSet(list), ranges: [], type: BOOL, each };
        return { k: 'inStrings', left, set: stringListSet(list), type: BOOL, each };
      } catch (err) {
        if (err instanceof IpSetEntryError) this.fail(`list $${e.set.name}: ${err.message}`, e.set, 'rules.bad_list');
        throw err;
      }
    }
    const items = e.set.items;
    const mismatch = (item: Literal | { kind: 'range'; start: number; end: number }, found: string): never =>
      this.fail(`expected ${lt.kind === 'ip' ? 'IP addresses, networks or ranges' : lt.kind === 'int' ? 'numbers or ranges' : 'strings'} in the set (the left of 'in' is ${typeName(lt)}), found ${found}`, item);
    switch (lt.kind) {
      case 'string': {
        const set = new Set<string>();
        for (const it of items) {
          if (it.kind !== 'string') mismatch(it as Literal, it.kind === 'range' ? 'a range' : this.#describe(it));
          else set.add(it.value);
        }
        return { k: 'inStrings', left, set, type: BOOL, each };
      }
      case 'int': {
        const set = new Set<number>();
        const ranges: [number, number][] = [];
        for (const it of items) {
          if (it.kind === 'int') set.add(it.value);
          else if (it.kind === 'range' && it.from.kind === 'int' && it.to.kind === 'int') {
            if (it.from.value > it.to.value) this.fail(`range ${it.from.value}..${it.to.value} is empty: the start is above the end`, it);
            ranges.push([it.from.value, it.to.value]);
          } else mismatch(it as Literal, it.kind === 'range' ? 'a range of IP addresses' : this.#describe(it));
        }
        return { k: 'inInts', left, set, ranges, type: BOOL, each };
      }
      case 'ip': {
        const ranges: IpRange[] = [];
        for (const it of items) {
          if (it.kind === 'ip') {
            const r = it.text.includes('/') ? parseCidr(it.text)?.range : parseIpEntry(it.text);
            if (!r) this.fail(`invalid ${it.text.includes('/') ? 'network' : 'IP address'} '${it.text}'`, it, 'rules.bad_ip');
            ranges.push(r);
          } else if (it.kind === 'range' && it.from.kind === 'ip' && it.to.kind === 'ip') {
            const a = this.#ip(it.from);
            const b = this.#ip(it.to);
            if (a.version !== b.version) this.fail(`range ${it.from.text}..${it.to.text} mixes IPv4 and IPv6`, it, 'rules.bad_ip');
            if (a.value > b.value) this.fail(`range ${it.from.text}..${it.to.text} is empty: the start is above the end`, it, 'rules.bad_ip');
            ranges.push(a.version === 4 ? { version: 4, start: a.value, end: b.value as number } : { version: 6, start: a.value, end: b.value as bigint });
          } else mismatch(it as Literal, it.kind === 'range' ? 'a range of numbers' : this.#describe(it));
        }
        return { k: 'inIps', left, set: IpSet.fromRanges(ranges), type: BOOL, each };
      }
      default:
        return this.fail(`'in' needs a string, a number or an IP address on its left, found ${typeName(lt)}`, e.left);
    }
  }
}

