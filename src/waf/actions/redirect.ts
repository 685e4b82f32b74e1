import { registerAction } from './registry.ts';
import { compileMacro } from '../engine/macro.ts';
/** `redirect:URL` — answer with a 302 (or `status`) to URL (macros expanded). Example: `redirect:'https://example.com/'` */
registerAction({
  name: 'redirect', kind: 'disruptive', doc: "redirect:URL — example: redirect:'http://%{request_headers.host}/'",
  init(rule, v) {
    if (!v) return 'redirect expects a URL';
    rule.disruptive = 'redirect';
    rule.redirect = compileMacro(v);
    return undefined;
  },
});
