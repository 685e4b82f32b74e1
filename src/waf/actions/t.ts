import { registerAction } from './registry.ts';
import { getTransformation } from '../transformations/index.ts';
/** `t:NAME` — add a transformation to the rule's chain; `t:none` clears it. Example: `t:none,t:urlDecodeUni,t:lowercase` */
registerAction({
  name: 't', kind: 'nondisruptive', doc: 't:NAME — example: t:none,t:lowercase',
  init(rule, v) {
    const name = (v ?? '').trim();
    if (name.toLowerCase() === 'none') { rule.transforms = []; rule.transformKey = ''; return undefined; }
    const def = getTransformation(name);
    if (!def) return `unknown transformation "${name}"`;
    rule.transforms.push({ name: def.name, fn: def.fn });
    rule.transformKey += (rule.transformKey ? ',' : '') + def.name;
    return undefined;
  },
});
