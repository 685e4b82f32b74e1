import { registerAction } from './registry.ts';
import { compileMacro } from '../engine/macro.ts';
/** `initcol:COL=KEY` — load a persistent collection (IP, GLOBAL, SESSION, USER, RESOURCE) from the store. Example: `initcol:ip=%{remote_addr}` */
registerAction({
  name: 'initcol', kind: 'nondisruptive', doc: 'initcol:ip=%{remote_addr}',
  init(rule, v) {
    const s = v ?? '';
    const eq = s.indexOf('=');
    if (eq < 0) return 'initcol expects COLLECTION=KEY';
    const col = s.slice(0, eq).trim().toUpperCase();
    const key = compileMacro(s.slice(eq + 1).trim());
    rule.effects.push((tx, r) => tx.initCollection(col, key.expand(tx, r)));
    return undefined;
  },
});
