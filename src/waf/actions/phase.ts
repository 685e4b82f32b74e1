import { registerAction } from './registry.ts';
/** `phase:1..5` (or `request`=2, `response`=4, `logging`=5) — when the rule runs. Example: `phase:2` */
const names: Record<string, 1 | 2 | 3 | 4 | 5> = { '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, request: 2, response: 4, logging: 5 };
registerAction({
  name: 'phase', kind: 'metadata', doc: 'phase:N — 1 request headers, 2 request body, 3 response headers, 4 response body, 5 logging; example: phase:2',
  init(rule, v) {
    const p = names[(v ?? '').toLowerCase()];
    if (p === undefined) return `phase expects 1-5, request, response or logging, got "${v ?? ''}"`;
    rule.phase = p;
    return undefined;
  },
});
