/**
 * SecLang lexer: splits a configuration text into directives (name + arguments), joining line continuations
 * (a backslash ending a line), skipping comments and blank lines, and handling quoted arguments (`"..."`, where
 * `\"` stands for a quote and every other backslash is kept as written, as Coraza and libmodsecurity do).
 */
import { WafConfigError } from './errors.ts';

export interface Position { line: number; column: number }

export interface DirectiveToken {
  name: string;
  args: string[];
  /** position of each argument's first character (for error messages) */
  argPos: Position[];
  file: string;
  line: number;
  column: number;
}

interface Logical { text: string; starts: Array<{ offset: number; line: number; colBase: number }> }

function logicalLines(text: string): Logical[] {
  const physical = text.split(/\r?\n/);
  const out: Logical[] = [];
  let cur: Logical | undefined;
  for (let i = 0; i < physical.length; i++) {
    let line = physical[i] ?? '';
    const cont = /\\\s*$/.test(line);
    if (cont) line = line.replace(/\\\s*$/, '');
    if (!cur) {
      const trimmed = line.trimStart();
      if (trimmed === '' && !cont) continue;
      if (trimmed.startsWith('#')) continue;
      cur = { text: '', starts: [] };
    }
    cur.starts.push({ offset: cur.text.length, line: i + 1, colBase: 1 });
    cur.text += line;
    if (!cont) { out.push(cur); cur = undefined; }
  }
  if (cur) out.push(cur);
  return out;
}

function posOf(l: Logical, offset: number): Position {
  let s = l.starts[0] ?? { offset: 0, line: 1, colBase: 1 };
  for (const st of l.starts) if (st.offset <= offset) s = st;
  return { line: s.line, column: offset - s.offset + s.colBase };
}

export function lex(text: string, file: string): DirectiveToken[] {
  const out: DirectiveToken[] = [];
  for (const l of logicalLines(text)) {
    const t = l.text;
    let i = 0;
    const args: string[] = [];
    const argPos: Position[] = [];
    while (i < t.length) {
      while (i < t.length && /\s/.test(t[i] ?? '')) i++;
      if (i >= t.length) break;
      const start = i;
      if (t[i] === '"' || t[i] === "'") {
        const q = t[i];
        i++;
        let s = '';
        let closed = false;
        while (i < t.length) {
          const c = t[i];
          if (c === '\\' && t[i + 1] === q) { s += q; i += 2; continue; }
          if (c === q) { closed = true; i++; break; }
          s += c;
          i++;
        }
        if (!closed) {
          const p = posOf(l, start);
          throw new WafConfigError(file, p.line, p.column, `unterminated quoted argument: expected a closing ${q}`);
        }
        args.push(s);
      } else {
        let s = '';
        while (i < t.length && !/\s/.test(t[i] ?? '')) { s += t[i]; i++; }
        args.push(s);
      }
      argPos.push(posOf(l, start));
    }
    const name = args.shift();
    const p0 = argPos.shift();
    if (name === undefined || p0 === undefined) continue;
    if (name.startsWith('#')) continue;
    out.push({ name, args, argPos, file, line: p0.line, column: p0.column });
  }
  return out;
}
