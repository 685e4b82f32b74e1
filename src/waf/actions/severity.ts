import { registerAction } from './registry.ts';
/** `severity:NAME|0-7` — EMERGENCY(0) … DEBUG(7). Example: `severity:'CRITICAL'` */
const names = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];
registerAction({
  name: 'severity', kind: 'metadata', doc: "severity:NAME — example: severity:'CRITICAL'",
  init(rule, v) {
    const s = (v ?? '').toUpperCase();
    const n = Number(s);
    if (s !== '' && Number.isInteger(n) && n >= 0 && n < 8) { rule.severity = names[n] ?? s; return undefined; }
    if (!names.includes(s)) return `severity expects one of ${names.join(', ')} or 0-7, got "${v ?? ''}"`;
    rule.severity = s;
    return undefined;
  },
});
