/**
 * Variable resolution: turns a rule target (`ARGS`, `!ARGS:foo`, `&TX:x`, `REQUEST_HEADERS:/^x-/`, `XML:/*`) into
 * the list of (name, value) pairs the operator sees, applying the rule's exclusions and the transaction's
 * ctl:ruleRemoveTarget* removals.
 */
import { compileSafe } from '../../lib/regex.ts';
import type { Transaction } from '../engine/transaction.ts';
import type { Rule, RuleTarget, KeySelector } from '../engine/rule.ts';
import { KEYED, NAMES_OF, SINGLE } from './names.ts';

export { isKnownVariable, KEYED, NAMES_OF, SINGLE } from './names.ts';

/** A resolved value; its display name (`ARGS:q`) is built only when needed, with targetName(). */
export interface TargetValue { col: string; key: string | undefined; value: string }

export function targetName(tv: TargetValue): string {
  return tv.key === undefined ? tv.col : tv.col + ':' + tv.key;
}

export function compileKeyRegex(src: string): RegExp {
  return compileSafe(src, 'i');
}

function keyMatches(sel: KeySelector, key: string): boolean {
  if (sel.keyRegex) return sel.keyRegex.test(key);
  return sel.key !== undefined && sel.key.toLowerCase() === key.toLowerCase();
}

function excluded(tx: Transaction, target: RuleTarget, rule: Rule, key: string): boolean {
  for (const ex of target.exclusions) if (keyMatches(ex, key)) return true;
  for (const rt of tx.removedTargets) {
    if (rt.target.name !== target.name) continue;
    if (!rt.match(rule)) continue;
    if (rt.target.key === undefined && rt.target.keyRegex === undefined) return true;
    if (keyMatches(rt.target, key)) return true;
  }
  return false;
}

function wholeRemoved(tx: Transaction, target: RuleTarget, rule: Rule): boolean {
  for (const rt of tx.removedTargets) {
    if (rt.target.name === target.name && rt.target.key === undefined && rt.target.keyRegex === undefined && rt.match(rule)) return true;
  }
  return false;
}

export function resolveTarget(tx: Transaction, target: RuleTarget, rule: Rule): TargetValue[] {
  const name = target.name;
  if (tx.removedTargets.length > 0 && wholeRemoved(tx, target, rule)) return [];
  let out: TargetValue[] = [];
  const base = NAMES_OF[name];
  if (base !== undefined || KEYED.has(name)) {
    const col = tx.collection(base ?? name);
    if (col && col.size > 0) {
      if (target.key !== undefined && !target.keyRegex) {
        for (const e of col.get(target.key)) {
          if (excluded(tx, target, rule, e.key)) continue;
          out.push({ col: name, key: e.key, value: base ? e.key : e.value });
        }
      } else {
        for (const e of col.entries()) {
          if (target.keyRegex && !target.keyRegex.test(e.key)) continue;
          if ((target.exclusions.length > 0 || tx.removedTargets.length > 0) && excluded(tx, target, rule, e.key)) continue;
          out.push({ col: name, key: e.key, value: base ? e.key : e.value });
        }
      }
    }
  } else if (name === 'XML') {
    const xml = tx.xml;
    if (xml) {
      const key = target.key ?? '/*';
      const list = key.includes('@') ? xml.attrs : xml.texts;
      for (const v of list) out.push({ col: 'XML', key, value: v });
    }
  } else if (SINGLE.has(name)) {
    const v = tx.singleValue(name);
    if (v !== undefined) out.push({ col: name, key: undefined, value: v });
  }
  if (target.count) out = [{ col: '&' + name, key: target.key, value: String(out.length) }];
  return out;
}
