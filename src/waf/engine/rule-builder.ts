/** Builds a compiled Rule from a SecRule/SecAction's arguments, using the operator/action/variable registries. */
import { dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import { getAction } from '../actions/index.ts';
import { getOperator } from '../operators/index.ts';
import { parseActionList } from '../seclang/action-list.ts';
import { parseVariableList } from '../seclang/variable-list.ts';
import { WafConfigError } from '../seclang/errors.ts';
import type { DirectiveToken, Position } from '../seclang/lexer.ts';
import { compileKeyRegex, isKnownVariable } from '../variables/index.ts';
import { newRule } from './rule.ts';
import type { Rule, RuleTarget } from './rule.ts';

export interface DefaultActions { actions: string; file: string; line: number }

export function errAt(d: DirectiveToken, argIndex: number, message: string): WafConfigError {
  const p: Position = d.argPos[argIndex] ?? { line: d.line, column: d.column };
  return new WafConfigError(d.file, p.line, p.column, message);
}

export function parseTargets(text: string, d: DirectiveToken, argIndex: number): { targets: RuleTarget[]; exclusions: RuleTarget[] } {
  const targets: RuleTarget[] = [];
  const exclusions: RuleTarget[] = [];
  for (const v of parseVariableList(text)) {
    if (!isKnownVariable(v.name)) throw errAt(d, argIndex, `unknown variable "${v.name}": expected a SecLang variable such as ARGS, REQUEST_HEADERS or TX`);
    let keyRegex: RegExp | undefined;
    if (v.keyRegex !== undefined) {
      try { keyRegex = compileKeyRegex(v.keyRegex); } catch (e) { throw errAt(d, argIndex, `bad key regex /${v.keyRegex}/: ${(e as Error).message}`); }
    }
    const t: RuleTarget = { name: v.name, key: v.key, keyRegex, count: v.count, exclusions: [] };
    (v.exclude ? exclusions : targets).push(t);
  }
  return { targets, exclusions };
}

export function applyExclusions(targets: RuleTarget[], exclusions: RuleTarget[]): void {
  for (const ex of exclusions) {
    for (const t of targets) {
      if (t.name === ex.name) t.exclusions.push(ex.keyRegex ? { keyRegex: ex.keyRegex } : { key: ex.key ?? '' });
    }
  }
}

/** Apply an action list to a rule (used for the rule's own actions, SecDefaultAction and SecRuleUpdateActionById). */
export function applyActions(rule: Rule, text: string, d: DirectiveToken, argIndex: number, skipKinds: Set<string> = new Set()): void {
  for (const a of parseActionList(text)) {
    const def = getAction(a.name);
    if (!def) throw errAt(d, argIndex, `unknown action "${a.name}": expected one of id, phase, msg, t, setvar, chain, ctl, ...`);
    if (skipKinds.has(def.kind) || skipKinds.has(def.name)) continue;
    const err = def.init(rule, a.value);
    if (err) throw errAt(d, argIndex, `action ${a.name}: ${err}`);
  }
}

export function phaseOf(text: string): number | undefined {
  for (const a of parseActionList(text)) {
    if (a.name.toLowerCase() === 'phase') {
      const v = (a.value ?? '').toLowerCase();
      return v === 'request' ? 2 : v === 'response' ? 4 : v === 'logging' ? 5 : Number(v);
    }
  }
  return undefined;
}

export function buildRule(d: DirectiveToken, isAction: boolean, defaults: Map<number, DefaultActions>, parent: Rule | undefined): Rule {
  const rule = newRule(d.file, d.line);
  const actionsIdx = isAction ? 0 : 2;
  const actionsText = d.args[actionsIdx] ?? '';
  if (isAction) {
    rule.unconditional = true;
  } else {
    const varText = d.args[0];
    const opText = d.args[1];
    if (varText === undefined) throw errAt(d, 0, 'SecRule expects VARIABLES "OPERATOR" "ACTIONS": missing variables');
    if (opText === undefined) throw errAt(d, 0, 'SecRule expects VARIABLES "OPERATOR" "ACTIONS": missing operator');
    const { targets, exclusions } = parseTargets(varText, d, 0);
    applyExclusions(targets, exclusions);
    rule.targets = targets;
    let op = opText.trim();
    let negated = false;
    if (op.startsWith('!')) { negated = true; op = op.slice(1).trimStart(); }
    let name = 'rx';
    let param = op;
    if (op.startsWith('@')) {
      const sp = op.search(/\s/);
      name = sp < 0 ? op.slice(1) : op.slice(1, sp);
      param = sp < 0 ? '' : op.slice(sp + 1).trim();
    }
    const def = getOperator(name);
    if (!def) throw errAt(d, 1, `unknown operator "@${name}": expected @rx, @pm, @streq, @eq, ...`);
    try {
      const test = def.compile(param, { baseDir: dirname(d.file), readFile: (p) => readFileSync(p, 'utf8') });
      rule.operator = { name: def.name, param, negated, evaluate: test };
    } catch (e) {
      throw errAt(d, 1, `@${name}: ${(e as Error).message}`);
    }
  }
  if (parent) {
    rule.phase = parent.phase;
    rule.id = parent.id;
    rule.chainStarterId = parent.chainStarterId;
    applyActions(rule, actionsText, d, actionsIdx);
    rule.id = parent.id;
    rule.chainStarterId = parent.chainStarterId;
    rule.phase = parent.phase;
    return rule;
  }
  const ph = phaseOf(actionsText) ?? 2;
  const def = defaults.get(ph);
  if (def) {
    const dd: DirectiveToken = { name: 'SecDefaultAction', args: [def.actions], argPos: [], file: def.file, line: def.line, column: 1 };
    applyActions(rule, def.actions, dd, 0, new Set(['phase', 'id']));
  }
  const defDisruptive = rule.disruptive ?? 'pass';
  const defStatus = rule.status;
  rule.disruptive = undefined;
  applyActions(rule, actionsText, d, actionsIdx);
  if (rule.id === 0) throw errAt(d, actionsIdx, `${d.name} expects an id action (id:N)`);
  if (rule.disruptive === undefined || rule.disruptive === 'block') {
    rule.disruptive = defDisruptive;
    if (rule.status === undefined) rule.status = defStatus;
  }
  return rule;
}
