/** Runs the rules of one phase in order, honouring markers, skip/skipAfter, removals, allow and the time budget. */
import { performance } from 'node:perf_hooks';
import { evaluateRule } from './evaluate.ts';
import type { PhaseNumber, Rule } from './rule.ts';
import type { Transaction } from './transaction.ts';

function removed(tx: Transaction, rule: Rule): boolean {
  for (const [lo, hi] of tx.removedRuleRanges) if (rule.id >= lo && rule.id <= hi) return true;
  for (const t of tx.removedRuleTags) if (rule.tags.includes(t)) return true;
  for (const m of tx.removedRuleMsgs) if (rule.msg?.source === m) return true;
  return false;
}

export function runPhase(tx: Transaction, phase: PhaseNumber): void {
  if (tx.ruleEngine === 'Off') return;
  if (tx.interruption && phase < 5) return;
  if (tx.allowScope === 'all' && phase < 5) return;
  if (tx.allowScope === 'request' && phase <= 2) return;
  if (tx.budgetExceeded && phase < 5) return;
  const items = tx.ruleset.phases[phase] ?? [];
  let skipTo: string | undefined;
  let skipN = 0;
  const t0 = performance.now();
  try {
    for (const item of items) {
      if (item.kind === 'marker') {
        if (skipTo !== undefined && item.name === skipTo) skipTo = undefined;
        continue;
      }
      const rule = item.rule;
      if (skipTo !== undefined) {
        if (String(rule.id) === skipTo) skipTo = undefined;
        continue;
      }
      if (skipN > 0) { skipN--; continue; }
      if (tx.hasRemovals && removed(tx, rule)) continue;
      if (tx.budgetMs > 0 && tx.wafTimeMs + (performance.now() - t0) > tx.budgetMs) {
        tx.onBudgetExceeded(rule.id);
        return;
      }
      tx.currentPhase = phase;
      if (!evaluateRule(tx, rule)) continue;
      tx.onRuleMatched(rule);
      if (rule.skipAfter !== undefined) skipTo = rule.skipAfter;
      if (rule.skip > 0) skipN = rule.skip;
      const d = rule.disruptive;
      if (tx.ruleEngine !== 'On') continue;
      if (d === 'deny' || d === 'drop' || d === 'redirect') {
        tx.interruption = {
          action: d,
          status: rule.status ?? (d === 'redirect' ? 302 : 403),
          ruleId: rule.id,
          ...(d === 'redirect' && rule.redirect ? { url: rule.redirect.expand(tx, rule) } : {}),
        };
        return;
      }
      if (d === 'allow') {
        tx.allowScope = rule.allowScope;
        return;
      }
    }
  } finally {
    tx.wafTimeMs += performance.now() - t0;
  }
}
