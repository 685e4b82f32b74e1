import { registerAction } from './registry.ts';
import { compileMacro } from '../engine/macro.ts';
/** `setenv:NAME=VALUE` — sets ENV:NAME for this transaction. Example: `setenv:blocked=1` */
registerAction({
  name: 'setenv', kind: 'nondisruptive', doc: 'setenv:name=value',
  init(rule, v) {
    const s = v ?? '';
    const eq = s.indexOf('=');
    const name = (eq < 0 ? s : s.slice(0, eq)).trim();
    const val = compileMacro(eq < 0 ? '1' : s.slice(eq + 1));
    rule.effects.push((tx, r) => tx.writableCollection('ENV')?.set(name, val.expand(tx, r)));
    return undefined;
  },
});
