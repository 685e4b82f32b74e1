/** Compiled rule shapes shared by the compiler, the evaluator and the action/operator registries. */
import type { Transaction } from './transaction.ts';
import type { Macro } from './macro.ts';

export type PhaseNumber = 1 | 2 | 3 | 4 | 5;

export interface KeySelector { key?: string; keyRegex?: RegExp }

export interface RuleTarget {
  name: string;
  key?: string;
  keyRegex?: RegExp;
  count: boolean;
  exclusions: KeySelector[];
}

export interface CompiledOperator {
  name: string;
  param: string;
  negated: boolean;
  evaluate(tx: Transaction, input: string, rule: Rule): boolean;
}

export interface TransformationStep { name: string; fn: (s: string) => string }

export type Disruptive = 'pass' | 'deny' | 'drop' | 'allow' | 'redirect' | 'block';

/** A non-disruptive action run when the rule (and its whole chain) matches. */
export type Effect = (tx: Transaction, rule: Rule) => void;

export interface Rule {
  id: number;
  /** id of the chain starter for chained rules (same as id for a starter) */
  chainStarterId: number;
  phase: PhaseNumber;
  file: string;
  line: number;
  targets: RuleTarget[];
  operator: CompiledOperator;
  transforms: TransformationStep[];
  transformKey: string;
  multiMatch: boolean;
  capture: boolean;
  msg: Macro | undefined;
  logdata: Macro | undefined;
  tags: string[];
  severity: string;
  ver: string;
  disruptive: Disruptive | undefined;
  status: number | undefined;
  redirect: Macro | undefined;
  allowScope: 'all' | 'phase' | 'request';
  effects: Effect[];
  skipAfter: string | undefined;
  skip: number;
  log: boolean;
  chain: Rule | undefined;
  chained: boolean;
  /** true for SecAction (no targets, always matches) */
  unconditional: boolean;
}

export function newRule(file: string, line: number): Rule {
  return {
    id: 0, chainStarterId: 0, phase: 2, file, line, targets: [],
    operator: { name: 'unconditionalMatch', param: '', negated: false, evaluate: () => true },
    transforms: [], transformKey: '', multiMatch: false, capture: false,
    msg: undefined, logdata: undefined, tags: [], severity: '', ver: '',
    disruptive: undefined, status: undefined, redirect: undefined, allowScope: 'all',
    effects: [], skipAfter: undefined, skip: 0, log: true, chain: undefined, chained: false, unconditional: false,
  };
}
