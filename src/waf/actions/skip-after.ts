import { registerAction } from './registry.ts';
/** `skipAfter:MARKER` — on match, skip to after the SecMarker (or rule id) named. Example: `skipAfter:END-REQUEST-920` */
registerAction({ name: 'skipAfter', kind: 'flow', doc: 'skipAfter:MARKER — example: skipAfter:END-HOST-CHECK', init(rule, v) { if (!v) return 'skipAfter expects a marker'; rule.skipAfter = v; return undefined; } });
