/**
 * Macro expansion: `%{tx.anomaly_score}`, `%{MATCHED_VAR}`, `%{request_headers.host}`, `%{rule.id}`.
 * Compiled once into literal and reference parts; a text without `%{` is a constant.
 */
import type { Transaction } from './transaction.ts';
import type { Rule } from './rule.ts';

type Part = string | { col: string; key: string | undefined };

export interface Macro {
  readonly source: string;
  readonly constant: boolean;
  expand(tx: Transaction, rule?: Rule): string;
}

export function compileMacro(source: string): Macro {
  if (!source.includes('%{')) return { source, constant: true, expand: () => source };
  const parts: Part[] = [];
  let i = 0;
  while (i < source.length) {
    const j = source.indexOf('%{', i);
    const k = j < 0 ? -1 : source.indexOf('}', j);
    if (j < 0 || k < 0) { parts.push(source.slice(i)); break; }
    if (j > i) parts.push(source.slice(i, j));
    const ref = source.slice(j + 2, k);
    const dot = ref.indexOf('.');
    if (dot < 0) parts.push({ col: ref.toUpperCase(), key: undefined });
    else parts.push({ col: ref.slice(0, dot).toUpperCase(), key: ref.slice(dot + 1) });
    i = k + 1;
  }
  return {
    source,
    constant: false,
    expand(tx, rule) {
      let s = '';
      for (const p of parts) s += typeof p === 'string' ? p : tx.macroValue(p.col, p.key, rule);
      return s;
    },
  };
}
