import { registerAction } from './registry.ts';
import type { Disruptive } from '../engine/rule.ts';
/**
 * Disruptive actions: `deny` (answer with status, default 403), `drop` (close the connection), `pass` (go on),
 * `block` (whatever SecDefaultAction of the phase says), `allow` (stop inspecting; `allow:phase`, `allow:request`).
 * Example: `deny,status:403`
 */
for (const name of ['deny', 'drop', 'pass', 'block'] as const) {
  registerAction({ name, kind: 'disruptive', doc: `${name} — example: id:1,${name}`, init(rule) { rule.disruptive = name as Disruptive; return undefined; } });
}
registerAction({
  name: 'allow', kind: 'disruptive', doc: 'allow[:phase|request] — stop rule processing; example: allow:request',
  init(rule, v) {
    rule.disruptive = 'allow';
    rule.allowScope = v === 'phase' ? 'phase' : v === 'request' ? 'request' : 'all';
    return undefined;
  },
});
