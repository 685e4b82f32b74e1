/**
 * Evaluates one rule (with its chain) against a transaction: resolve targets, apply the transformation chain
 * (cached per transaction by chain and value), run the operator, and on a full-chain match run the effects.
 */
import { resolveTarget, targetName } from '../variables/index.ts';
import type { Rule } from './rule.ts';
import type { Transaction } from './transaction.ts';

function transformed(tx: Transaction, rule: Rule, value: string): string {
  if (rule.transforms.length === 0) return value;
  // two-level cache (chain → value → result): no key concatenation, and V8 keeps each value string's hash
  let byValue = tx.transformCache.get(rule.transformKey);
  if (!byValue) { byValue = new Map(); tx.transformCache.set(rule.transformKey, byValue); }
  const hit = byValue.get(value);
  if (hit !== undefined) return hit;
  let v = value;
  for (const t of rule.transforms) v = t.fn(v);
  if (value.length < 65536) byValue.set(value, v);
  return v;
}

function matchOne(tx: Transaction, rule: Rule): boolean {
  if (rule.unconditional) { for (const fx of rule.effects) fx(tx, rule); return true; }
  const op = rule.operator;
  let matched = false;
  for (const target of rule.targets) {
    const values = resolveTarget(tx, target, rule);
    for (const tv of values) {
      if (rule.multiMatch) {
        let v = tv.value;
        const seen = new Set<string>();
        const candidates = [v];
        for (const t of rule.transforms) { v = t.fn(v); candidates.push(v); }
        for (const c of candidates) {
          if (seen.has(c)) continue;
          seen.add(c);
          if (op.evaluate(tx, c, rule) !== op.negated) { tx.recordMatchedVar(targetName(tv), c); matched = true; for (const fx of rule.effects) fx(tx, rule); break; }
        }
      } else {
        const v = transformed(tx, rule, tv.value);
        if (op.evaluate(tx, v, rule) !== op.negated) { tx.recordMatchedVar(targetName(tv), v); matched = true; for (const fx of rule.effects) fx(tx, rule); }
      }
    }
  }
  return matched;
}

/**
 * True when the rule and every rule chained to it matched. As in ModSecurity, each rule of a chain runs its
 * non-disruptive actions (setvar, ctl, ...) for each value it matches, before the next link is evaluated.
 */
export function evaluateRule(tx: Transaction, rule: Rule): boolean {
  tx.clearMatchedVars();
  let r: Rule | undefined = rule;
  while (r) {
    if (!matchOne(tx, r)) return false;
    r = r.chain;
  }
  return true;
}
