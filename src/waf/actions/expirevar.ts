import { registerAction } from './registry.ts';
import { compileMacro } from '../engine/macro.ts';
/** `expirevar:COL.KEY=SECONDS` — the variable disappears after SECONDS. Example: `expirevar:ip.blocked=600` */
registerAction({
  name: 'expirevar', kind: 'nondisruptive', doc: 'expirevar:ip.blocked=600',
  init(rule, v) {
    const s = v ?? '';
    const eq = s.indexOf('=');
    const lhs = eq < 0 ? s : s.slice(0, eq);
    const dot = lhs.indexOf('.');
    if (dot < 0) return 'expirevar expects COLLECTION.KEY=SECONDS';
    const col = lhs.slice(0, dot).trim().toUpperCase();
    const key = compileMacro(lhs.slice(dot + 1).trim());
    const secs = compileMacro(eq < 0 ? '0' : s.slice(eq + 1).trim());
    rule.effects.push((tx, r) => tx.expireVar(col, key.expand(tx, r).toLowerCase(), Number(secs.expand(tx, r)) || 0));
    return undefined;
  },
});
