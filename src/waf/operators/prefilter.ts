/**
 * Regex prefilter: from a (converted, JS-syntax) pattern, derive a set of literal strings such that every match
 * contains at least one of them. A value containing none of them (compared case-insensitively, so the filter is
 * conservative for case-sensitive patterns too) cannot match and the regex is not run.
 * Returns undefined when no useful set exists (e.g. the pattern can match without any fixed literal).
 */
type Req = string[] | null; // null: no constraint

const asciiLower = (c: string): string => (c >= 'A' && c <= 'Z' ? c.toLowerCase() : c);

interface Node { kind: 'lit'; ch: string }
interface Seq { kind: 'seq'; items: Ast[] }
interface Alt { kind: 'alt'; alts: Ast[] }
interface Rep { kind: 'rep'; min: number; node: Ast }
interface Any { kind: 'any' }
interface Empty { kind: 'empty' }
interface CharSet { kind: 'set'; chars: string[] }
type Ast = Node | Seq | Alt | Rep | Any | Empty | CharSet;

const MAX_CLASS = 24;

/** A small, non-negated character class as its list of (ASCII-lowercased) characters, else undefined. */
function classChars(body: string): string[] | undefined {
  if (body.startsWith('^')) return undefined;
  const singles: number[] = [];
  let i = 0;
  const next = (): number | undefined => {
    const c = body[i];
    if (c === undefined) return undefined;
    if (c === '\\') {
      const n = body[i + 1] ?? '';
      if (n === 'x') { const v = parseInt(body.slice(i + 2, i + 4), 16); i += 4; return Number.isNaN(v) ? -1 : v; }
      const simple: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11 };
      i += 2;
      if (simple[n] !== undefined) return simple[n];
      if (/[a-zA-Z0-9]/.test(n)) return -1; // \d \w \s \u...: too broad or unknown
      return n.charCodeAt(0);
    }
    i++;
    return c.charCodeAt(0);
  };
  while (i < body.length) {
    const a = next();
    if (a === undefined || a < 0) return undefined;
    if (body[i] === '-' && i + 1 < body.length) {
      i++;
      const b = next();
      if (b === undefined || b < 0 || b < a || b - a > MAX_CLASS) return undefined;
      for (let x = a; x <= b; x++) singles.push(x);
    } else singles.push(a);
    if (singles.length > MAX_CLASS) return undefined;
  }
  const out = new Set<string>();
  for (const x of singles) out.add(asciiLower(String.fromCharCode(x)));
  return [...out];
}

const MAX_SET = 2000;

function parse(src: string): Ast {
  let i = 0;
  const parseAlt = (): Ast => {
    const alts: Ast[] = [parseSeq()];
    while (src[i] === '|') { i++; alts.push(parseSeq()); }
    return alts.length === 1 ? (alts[0] as Ast) : { kind: 'alt', alts };
  };
  const parseSeq = (): Ast => {
    const items: Ast[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') {
      let atom = parseAtom();
      // quantifiers
      for (;;) {
        const c = src[i];
        if (c === '*' || c === '?') { atom = { kind: 'rep', min: 0, node: atom }; i++; } else if (c === '+') { atom = { kind: 'rep', min: 1, node: atom }; i++; } else if (c === '{') {
          const m = /^\{(\d*)(?:,(\d*))?\}/.exec(src.slice(i, i + 20));
          if (!m) break;
          atom = { kind: 'rep', min: Number(m[1] || 0), node: atom };
          i += m[0].length;
        } else break;
        if (src[i] === '?') i++; // lazy
      }
      items.push(atom);
    }
    return { kind: 'seq', items };
  };
  const parseAtom = (): Ast => {
    const c = src[i] as string;
    if (c === '(') {
      i++;
      let look = false;
      if (src[i] === '?') {
        if (src.startsWith('?:', i)) i += 2;
        else if (src.startsWith('?=', i) || src.startsWith('?!', i)) { i += 2; look = true; } else if (src.startsWith('?<=', i) || src.startsWith('?<!', i)) { i += 3; look = true; } else if (src.startsWith('?<', i)) { const e = src.indexOf('>', i); i = e + 1; } else {
          const m = /^\?[a-z-]*:/.exec(src.slice(i, i + 10));
          if (m) i += m[0].length;
        }
      }
      const inner = parseAlt();
      if (src[i] !== ')') throw new Error('unbalanced');
      i++;
      return look ? { kind: 'empty' } : inner;
    }
    if (c === '[') {
      const start = i + 1;
      i++;
      if (src[i] === '^') i++;
      if (src[i] === ']') i++;
      while (i < src.length && src[i] !== ']') { if (src[i] === '\\') i++; i++; }
      const body = src.slice(start, i);
      i++;
      const chars = classChars(body);
      return chars ? { kind: 'set', chars } : { kind: 'any' };
    }
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      if (n === 'x') { const v = parseInt(src.slice(i + 2, i + 4), 16); i += 4; return { kind: 'lit', ch: String.fromCharCode(v) }; }
      if (n === 'u') { i += 6; return { kind: 'any' }; }
      if (n === 'b' || n === 'B') { i += 2; return { kind: 'empty' }; }
      if (/[dDwWsSnrtfv0-9cpPk]/.test(n)) {
        const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' };
        i += 2;
        if (n === 'c') i++;
        return simple[n] !== undefined ? { kind: 'lit', ch: simple[n] as string } : { kind: 'any' };
      }
      i += 2;
      return { kind: 'lit', ch: n };
    }
    if (c === '.') { i++; return { kind: 'any' }; }
    if (c === '^' || c === '$') { i++; return { kind: 'empty' }; }
    i++;
    return { kind: 'lit', ch: c };
  };
  const ast = parseAlt();
  if (i !== src.length) throw new Error('trailing input');
  return ast;
}

function score(r: Req): number {
  if (r === null || r.length === 0) return -1;
  let min = Infinity;
  for (const s of r) min = Math.min(min, s.length);
  return min * 1000 - r.length;
}

function req(a: Ast): Req {
  switch (a.kind) {
    case 'lit': return [asciiLower(a.ch)];
    case 'set': return a.chars;
    case 'any': case 'empty': return null;
    case 'rep': return a.min >= 1 ? req(a.node) : null;
    case 'alt': {
      const out = new Set<string>();
      for (const x of a.alts) {
        const r = req(x);
        if (r === null) return null;
        for (const s of r) out.add(s);
        if (out.size > MAX_SET) return null;
      }
      return [...out];
    }
    case 'seq': {
      // candidates: each item's own set, and cross products of adjacent finite sets (literal runs)
      let best: Req = null;
      let run: string[] | null = null;
      const consider = (r: Req): void => { if (score(r) > score(best)) best = r; };
      for (const it of a.items) {
        if (it.kind === 'empty') continue;
        const r = exact(it);
        if (r !== null) {
          if (run === null) run = r;
          else {
            const prod: string[] = [];
            for (const p of run) for (const q of r) { prod.push(p + q); if (prod.length > MAX_SET) break; }
            run = prod.length > MAX_SET ? r : prod;
          }
          consider(run);
          continue;
        }
        run = null;
        consider(req(it));
      }
      return best;
    }
  }
}

/** The exact set of strings a node matches, when small and finite (literals, alternations of literals). */
function exact(a: Ast): string[] | null {
  switch (a.kind) {
    case 'lit': return [asciiLower(a.ch)];
    case 'set': return a.chars;
    case 'alt': {
      const out = new Set<string>();
      for (const x of a.alts) {
        const e = exact(x);
        if (e === null) return null;
        for (const s of e) out.add(s);
        if (out.size > 200) return null;
      }
      return [...out];
    }
    case 'seq': {
      let acc: string[] = [''];
      for (const it of a.items) {
        if (it.kind === 'empty') continue;
        const e = exact(it);
        if (e === null) return null;
        const next: string[] = [];
        for (const p of acc) for (const q of e) next.push(p + q);
        if (next.length > 200) return null;
        acc = next;
      }
      return acc;
    }
    default: return null;
  }
}

export function requiredLiterals(source: string): string[] | undefined {
  let ast: Ast;
  try { ast = parse(source); } catch { return undefined; }
  const r = req(ast);
  if (r === null || r.length === 0 || r.some((s) => s === '')) return undefined;
  return r;
}
