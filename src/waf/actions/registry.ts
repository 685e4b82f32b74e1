/**
 * Action registry. Each action lives in its own file and registers itself with a doc block (syntax + example).
 * `init` runs at compile time: it fills the rule's fields, or appends an Effect (run when the rule — and its whole
 * chain — matches). It returns an error message for a bad argument.
 */
import type { Rule } from '../engine/rule.ts';

export type ActionKind = 'metadata' | 'disruptive' | 'flow' | 'nondisruptive' | 'data';

export interface ActionDef {
  name: string;
  kind: ActionKind;
  doc: string;
  init(rule: Rule, value: string | undefined): string | undefined;
}

const registry = new Map<string, ActionDef>();

export function registerAction(def: ActionDef): void {
  registry.set(def.name.toLowerCase(), def);
}

export function getAction(name: string): ActionDef | undefined {
  return registry.get(name.toLowerCase());
}

export function actionNames(): string[] {
  return [...registry.values()].map((d) => d.name);
}
