/**
 * Literal prefilter for a rule set. Many rules need a literal somewhere in one string field to have any chance of
 * matching (`http.user_agent contains "x"`, `uri.query matches "id=[0-9]+"`, `starts_with(path, "/p/")`,
 * `lower(path) wildcard "/backup/*.sql"`). At compile time each such rule gets one needle (field, literal); per
 * request one Aho-Corasick pass over each field marks the needles present, and rules whose needle is absent are
 * skipped without evaluating them. Only conditions that are necessary (the whole expression, or an operand of a
 * top-level `and`) are used, so skipping never changes a result.
 */
import type { TNode } from './checker.ts';
import { compileNode } from './compiler.ts';
import type { Fn } from './compiler.ts';
import { requiredLiteral } from './literal.ts';
import { sharedMemo } from './memo.ts';

export interface Needle {
  /** Names the string read (a field, a lookup, or lower()/upper() of one). */
  readonly key: string;
  readonly read: Fn;
  readonly literal: string;
}

/** The text key of a plain field or lookup, or of lower()/upper() of one, when not under [*]. */
function readKey(n: TNode): string | undefined {
  if (n.each || n.type.kind !== 'string') return undefined;
  if (n.k === 'field') return n.field.name;
  if (n.k === 'lookup') return `${n.field.name}[${JSON.stringify(n.key)}]`;
  if (n.k === 'call' && n.args.length === 1 && (n.fn.name === 'lower' || n.fn.name === 'upper')) {
    const inner = readKey(n.args[0] as TNode);
    return inner === undefined ? undefined : `${n.fn.name}(${inner})`;
  }
  return undefined;
}

function needle(read: TNode, literal: string | null | undefined): Needle | undefined {
  if (literal === null || literal === undefined || literal.length < 2) return undefined;
  const key = readKey(read);
  if (key === undefined) return undefined;
  const f = compileNode(read);
  return { key, read: sharedMemo(`needle:${key}`, f), literal };
}

/** A necessary literal of a typed expression, or undefined. */
export function needleOf(n: TNode): Needle | undefined {
  if (n.each) return undefined;
  switch (n.k) {
    case 'cmp':
      if (n.right.k !== 'const' || typeof n.right.value !== 'string') return undefined;
      if (n.op === 'contains' || n.op === 'eq') return needle(n.left, n.right.value);
      return undefined;
    case 'regex': {
      const re = n.re;
      if (re.folded !== undefined) {
        const lit = re.folded.literal;
        if (lit === undefined) return undefined;
        // the folded test runs on the lower-cased value: look for the literal there
        const key = readKey(n.left);
        if (key === undefined || lit.length < 2) return undefined;
        const f = compileNode(n.left);
        return { key: `lower(${key})`, read: sharedMemo(`needle:lower(${key})`, (r) => (f(r) as string).toLowerCase()), literal: lit };
      }
      if (re.literal !== undefined) return needle(n.left, re.literal);
      if (re instanceof RegExp && !re.flags.includes('i')) return needle(n.left, requiredLiteral(re.source));
      return undefined;
    }
    case 'call':
      if ((n.fn.name === 'starts_with' || n.fn.name === 'ends_with') && n.args.length === 2) {
        const lit = n.args[1] as TNode;
        if (lit.k === 'const' && typeof lit.value === 'string') return needle(n.args[0] as TNode, lit.value);
      }
      return undefined;
    case 'logic': {
      if (n.op !== 'and') return undefined;
      let best: Needle | undefined;
      for (const o of n.operands) {
        const x = needleOf(o);
        if (x !== undefined && (best === undefined || x.literal.length > best.literal.length)) best = x;
      }
      return best;
    }
    default:
      return undefined;
  }
}

/** Aho-Corasick over UTF-16 code units: which of many literals occur in a string, in one pass. */
export class LiteralSet {
  readonly #next: Map<number, number>[] = [new Map()];
  readonly #fail: number[] = [0];
  readonly #out: (number[] | undefined)[] = [undefined];

  /** Build from literals; ids are their positions. */
  constructor(literals: readonly string[]) {
    literals.forEach((lit, id) => {
      let s = 0;
      for (let i = 0; i < lit.length; i++) {
        const c = lit.charCodeAt(i);
        let t = (this.#next[s] as Map<number, number>).get(c);
        if (t === undefined) {
          t = this.#next.length;
          this.#next.push(new Map());
          this.#fail.push(0);
          this.#out.push(undefined);
          (this.#next[s] as Map<number, number>).set(c, t);
        }
        s = t;
      }
      (this.#out[s] ??= []).push(id);
    });
    // breadth-first fail links; outputs inherit their fail state's outputs
    const queue: number[] = [...(this.#next[0] as Map<number, number>).values()];
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q] as number;
      for (const [c, t] of this.#next[s] as Map<number, number>) {
        let f = this.#fail[s] as number;
        while (f !== 0 && !(this.#next[f] as Map<number, number>).has(c)) f = this.#fail[f] as number;
        const ft = (this.#next[f] as Map<number, number>).get(c);
        this.#fail[t] = ft !== undefined && ft !== t ? ft : 0;
        const inherited = this.#out[this.#fail[t] as number];
        if (inherited !== undefined) this.#out[t] = [...(this.#out[t] ?? []), ...inherited];
        queue.push(t);
      }
    }
  }

  /** For every literal occurring in `s`, set `stamp[ids[literal]] = gen`. */
  scan(s: string, ids: Int32Array, stamp: Uint32Array, gen: number): void {
    const next = this.#next;
    const fail = this.#fail;
    const out = this.#out;
    let st = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      let t = (next[st] as Map<number, number>).get(c);
      while (t === undefined && st !== 0) {
        st = fail[st] as number;
        t = (next[st] as Map<number, number>).get(c);
      }
      st = t ?? 0;
      const o = out[st];
      if (o !== undefined) for (let k = 0; k < o.length; k++) stamp[ids[o[k] as number] as number] = gen;
    }
  }
}

/**
 * The prefilter of one rule list: per rule, the id of its needle (-1 when it has none); per request `mark` stamps
 * the needles present, and `present(id)` tells whether a rule may match.
 */
export class RulePrefilter {
  /** Needle id of each rule, -1 when the rule has none. */
  readonly needleOfRule: Int32Array;
  readonly #groups: { read: Fn; set: LiteralSet; ids: Int32Array }[] = [];
  readonly #stamp: Uint32Array;
  #gen = 0;

  constructor(needles: readonly (Needle | undefined)[]) {
    this.needleOfRule = new Int32Array(needles.length).fill(-1);
    const byKey = new Map<string, { read: Fn; literals: string[]; litId: Map<string, number> }>();
    let total = 0;
    const globalId = new Map<string, number>();
    needles.forEach((n, i) => {
      if (n === undefined) return;
      let g = byKey.get(n.key);
      if (!g) byKey.set(n.key, g = { read: n.read, literals: [], litId: new Map() });
      const gk = `${n.key}\u0000${n.literal}`;
      let id = globalId.get(gk);
      if (id === undefined) {
        id = total++;
        globalId.set(gk, id);
        g.litId.set(n.literal, g.literals.length);
        g.literals.push(n.literal);
      }
      this.needleOfRule[i] = id;
    });
    for (const [key, g] of byKey) {
      const ids = Int32Array.from(g.literals, (l) => globalId.get(`${key}\u0000${l}`) as number);
      this.#groups.push({ read: g.read, set: new LiteralSet(g.literals), ids });
    }
    this.#stamp = new Uint32Array(total);
  }

  get active(): boolean { return this.#groups.length > 0; }

  /** Scan the request's fields; afterwards `present` answers for this request. */
  mark(req: Parameters<Fn>[0]): void {
    if (++this.#gen === 0xffffffff) { this.#stamp.fill(0); this.#gen = 1; }
    const gen = this.#gen;
    for (let i = 0; i < this.#groups.length; i++) {
      const g = this.#groups[i] as { read: Fn; set: LiteralSet; ids: Int32Array };
      const v = g.read(req);
      if (typeof v === 'string' && v.length > 0) g.set.scan(v, g.ids, this.#stamp, gen);
    }
  }

  present(needleId: number): boolean { return this.#stamp[needleId] === this.#gen; }
}
