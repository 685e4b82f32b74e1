/** A compiled, immutable ruleset shared by every zone with the same configuration; makes cheap transactions. */
import type { Rule } from './rule.ts';
import type { EngineSettings } from './settings.ts';
import type { CollectionStore } from './types.ts';
import { Transaction } from './transaction.ts';
import type { TransactionOptions } from './transaction.ts';

export type PhaseItem = { kind: 'rule'; rule: Rule } | { kind: 'marker'; name: string };

export class Ruleset {
  readonly settings: EngineSettings;
  readonly rules: readonly Rule[];
  /** index 1..5: rules and markers of that phase in order */
  readonly phases: ReadonlyArray<readonly PhaseItem[]>;
  readonly store: CollectionStore;
  readonly loadMs: number;

  constructor(settings: EngineSettings, rules: Rule[], phases: PhaseItem[][], store: CollectionStore, loadMs: number) {
    this.settings = settings;
    this.rules = rules;
    this.phases = phases;
    this.store = store;
    this.loadMs = loadMs;
  }

  newTransaction(opts: TransactionOptions = {}): Transaction {
    return new Transaction(this, opts);
  }

  ruleById(id: number): Rule | undefined {
    return this.rules.find((r) => r.id === id);
  }
}
