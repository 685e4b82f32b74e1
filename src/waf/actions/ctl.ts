import { registerAction } from './registry.ts';
import { parseVariableList } from '../seclang/variable-list.ts';
import { compileKeyRegex } from '../variables/index.ts';
import type { RuleTarget } from '../engine/rule.ts';
/**
 * `ctl:OPTION=VALUE` — change the transaction's settings at runtime: `ruleEngine`, `requestBodyAccess`,
 * `requestBodyProcessor`, `forceRequestBodyVariable`, `responseBodyAccess`, `requestBodyLimit`, `ruleRemoveById`
 * (ids and ranges), `ruleRemoveByTag`, `ruleRemoveByMsg`, `ruleRemoveTargetById=ID;VAR`, `ruleRemoveTargetByTag=TAG;VAR`,
 * `ruleRemoveTargetByMsg`, `auditEngine`/`auditLogParts`/`debugLogLevel` (accepted, no effect).
 * Example: `ctl:ruleRemoveTargetById=942100;ARGS:password`
 */
function targetOf(s: string): RuleTarget | undefined {
  const v = parseVariableList(s)[0];
  if (!v) return undefined;
  return { name: v.name, key: v.key, keyRegex: v.keyRegex !== undefined ? compileKeyRegex(v.keyRegex) : undefined, count: false, exclusions: [] };
}

registerAction({
  name: 'ctl', kind: 'nondisruptive', doc: 'ctl:ruleRemoveById=920100 — example: ctl:ruleEngine=DetectionOnly',
  init(rule, v) {
    const s = v ?? '';
    const eq = s.indexOf('=');
    if (eq < 0) return 'ctl expects OPTION=VALUE';
    const opt = s.slice(0, eq).trim().toLowerCase();
    const val = s.slice(eq + 1).trim();
    switch (opt) {
      case 'ruleengine': {
        const mode = val.toLowerCase() === 'on' ? 'On' : val.toLowerCase() === 'off' ? 'Off' : 'DetectionOnly';
        rule.effects.push((tx) => { tx.ruleEngine = mode; });
        return undefined;
      }
      case 'requestbodyaccess': rule.effects.push((tx) => { tx.requestBodyAccess = val.toLowerCase() === 'on'; }); return undefined;
      case 'responsebodyaccess': rule.effects.push((tx) => { tx.responseBodyAccess = val.toLowerCase() === 'on'; }); return undefined;
      case 'forcerequestbodyvariable': rule.effects.push((tx) => { tx.forceRequestBodyVariable = val.toLowerCase() === 'on'; }); return undefined;
      case 'requestbodyprocessor': rule.effects.push((tx) => { tx.requestBodyProcessor = val.toUpperCase(); }); return undefined;
      case 'requestbodylimit': rule.effects.push((tx) => { tx.requestBodyLimit = Number(val) || tx.requestBodyLimit; }); return undefined;
      case 'ruleremovebyid': {
        const ranges: Array<[number, number]> = [];
        for (const part of val.split(/[\s,]+/).filter((p) => p !== '')) {
          const [a, b] = part.split('-');
          const lo = Number(a);
          ranges.push([lo, b === undefined ? lo : Number(b)]);
        }
        rule.effects.push((tx) => { for (const r of ranges) tx.removedRuleRanges.push(r); });
        return undefined;
      }
      case 'ruleremovebytag': rule.effects.push((tx) => { tx.removedRuleTags.push(val); }); return undefined;
      case 'ruleremovebymsg': rule.effects.push((tx) => { tx.removedRuleMsgs.push(val); }); return undefined;
      case 'ruleremovetargetbyid':
      case 'ruleremovetargetbytag':
      case 'ruleremovetargetbymsg': {
        const semi = val.indexOf(';');
        if (semi < 0) return `ctl:${opt} expects SELECTOR;VARIABLE`;
        const sel = val.slice(0, semi).trim();
        const target = targetOf(val.slice(semi + 1).trim());
        if (!target) return `ctl:${opt} expects a variable after ;`;
        if (opt === 'ruleremovetargetbyid') {
          const [a, b] = sel.split('-');
          const lo = Number(a);
          const hi = b === undefined ? lo : Number(b);
          rule.effects.push((tx) => { tx.removedTargets.push({ match: (r) => r.chainStarterId >= lo && r.chainStarterId <= hi, target }); });
        } else if (opt === 'ruleremovetargetbytag') {
          rule.effects.push((tx) => { tx.removedTargets.push({ match: (r) => r.tags.includes(sel), target }); });
        } else {
          rule.effects.push((tx) => { tx.removedTargets.push({ match: (r) => r.msg?.source === sel, target }); });
        }
        return undefined;
      }
      case 'auditengine': case 'auditlogparts': case 'debugloglevel': case 'hashengine': case 'hashenforcement':
        return undefined;
      default:
        return `unknown ctl option "${opt}"`;
    }
  },
});
