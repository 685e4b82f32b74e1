/**
 * Operator registry. Each operator lives in its own file and registers itself with a doc block (syntax + example).
 * `compile` runs once per rule at ruleset build time and returns the per-value test.
 */
import type { Transaction } from '../engine/transaction.ts';
import type { Rule } from '../engine/rule.ts';

export type OperatorTest = (tx: Transaction, input: string, rule: Rule) => boolean;

export interface OperatorCompileContext {
  /** directory of the file the rule came from (for @pmFromFile & co) */
  baseDir: string;
  /** reads a data file (absolute path) as text */
  readFile(path: string): string;
}

export interface OperatorDef {
  name: string;
  doc: string;
  compile(param: string, ctx: OperatorCompileContext): OperatorTest;
}

const registry = new Map<string, OperatorDef>();

export function registerOperator(def: OperatorDef, ...aliases: string[]): void {
  registry.set(def.name.toLowerCase(), def);
  for (const a of aliases) registry.set(a.toLowerCase(), def);
}

export function getOperator(name: string): OperatorDef | undefined {
  return registry.get(name.toLowerCase());
}

export function operatorNames(): string[] {
  return [...new Set([...registry.values()].map((d) => d.name))];
}
