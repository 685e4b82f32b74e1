import { registerAction } from './registry.ts';
import { compileMacro } from '../engine/macro.ts';
import { toInt } from '../operators/numeric.ts';
/**
 * `setvar:COL.KEY=VALUE` (also `=+N`, `=-N`, `!COL.KEY` to delete, `COL.KEY` alone sets 1). Collections: TX, IP,
 * GLOBAL, SESSION, USER, RESOURCE. Key and value expand macros.
 * Example: `setvar:'tx.inbound_anomaly_score_pl1=+%{tx.critical_anomaly_score}'`
 */
registerAction({
  name: 'setvar', kind: 'nondisruptive', doc: "setvar:'tx.score=+5' — example: setvar:tx.blocked=1",
  init(rule, v) {
    let s = (v ?? '').trim();
    if (s === '') return 'setvar expects COLLECTION.KEY[=VALUE]';
    const del = s.startsWith('!');
    if (del) s = s.slice(1);
    const eq = s.indexOf('=');
    const lhs = eq < 0 ? s : s.slice(0, eq);
    let rhs = eq < 0 ? '1' : s.slice(eq + 1);
    const dot = lhs.indexOf('.');
    if (dot < 0) return `setvar expects COLLECTION.KEY, got "${lhs}"`;
    const col = lhs.slice(0, dot).trim().toUpperCase();
    const key = compileMacro(lhs.slice(dot + 1).trim());
    let op: '=' | '+' | '-' = '=';
    if (rhs.startsWith('+')) { op = '+'; rhs = rhs.slice(1); } else if (rhs.startsWith('-')) { op = '-'; rhs = rhs.slice(1); }
    const value = compileMacro(rhs);
    rule.effects.push((tx, r) => {
      const c = tx.writableCollection(col);
      if (!c) return;
      const k = key.expand(tx, r).toLowerCase();
      if (del) { c.remove(k); tx.touchCollection(col); return; }
      const val = value.expand(tx, r);
      if (op === '=') c.set(k, val);
      else {
        const cur = toInt(c.first(k) ?? '0');
        c.set(k, String(op === '+' ? cur + toInt(val) : cur - toInt(val)));
      }
      tx.touchCollection(col);
    });
    return undefined;
  },
});
