/** Shared helper: an operator whose parameter may hold macros (`%{tx.x}`), expanded per transaction. */
import { compileMacro } from '../engine/macro.ts';
import type { Transaction } from '../engine/transaction.ts';
import type { Rule } from '../engine/rule.ts';
import type { OperatorTest } from './registry.ts';

export function withParam(param: string, test: (input: string, p: string) => boolean): OperatorTest {
  const m = compileMacro(param);
  if (m.constant) return (_tx, input) => test(input, param);
  return (tx: Transaction, input: string, rule: Rule) => test(input, m.expand(tx, rule));
}
