/**
 * Worst-case probe (plain script): sends pathological inputs through the full CRS at paranoia 4 and prints the WAF
 * time per request and whether the budget stopped evaluation. `node src/waf/testdata/pathological.ts [linear|backtrack]`
 */
import { performance } from 'node:perf_hooks';
import { enableSafeRegex } from '../../lib/regex.ts';

enableSafeRegex();
const { compileRuleset, crsConfig, defaultCrsDir } = await import('../index.ts');
const { setRuleRegexMode } = await import('../operators/index.ts');
const arg = process.argv[2];
const mode = arg === 'linear' || arg === 'backtrack' ? arg : 'hybrid';
setRuleRegexMode(mode);
const size = Number(process.argv[3] ?? 8192);
const budget = Number(process.argv[4] ?? 0);
const rs = await compileRuleset({ text: crsConfig({ crsDir: defaultCrsDir(), paranoia: 4, mode: 'block' }), settings: { budgetMs: budget } });

const unit: Record<string, string> = {
  'a': 'a', 'space': ' ', 'quote-space': "' ", 'or': ' or 1', 'lt': '<', 'tag': '<a ', 'slash': '/', 'dots': '../', 'crlf': '\r\n',
  'backslash': '\\', 'select': 'select ', 'paren': '(', 'semicolon': ';a', 'amp': '&#', 'percent': '%', 'dollar': '${', 'b64': 'QUFB',
  'on': ' on', 'union': 'union/**/', 'comma': ',1', 'eq': '=a',
};
let worst = 0;
let stopped = 0;
for (const [name, u] of Object.entries(unit)) {
  const payload = u.repeat(Math.ceil(size / u.length)).slice(0, size);
  const enc = encodeURIComponent(payload);
  for (const where of ['arg', 'header', 'body'] as const) {
    const tx = rs.newTransaction({});
    const headers: Array<[string, string]> = [['Host', 'a.test'], ['User-Agent', 'Mozilla/5.0'], ['Accept', '*/*']];
    if (where === 'header') headers.push(['X-Probe', payload.replace(/[\r\n]/g, ' ')]);
    if (where === 'body') headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
    const t0 = performance.now();
    tx.processRequestHeaders({ method: where === 'body' ? 'POST' : 'GET', uri: where === 'arg' ? '/?p=' + enc : '/', headers });
    if (where === 'body') tx.appendRequestBody(Buffer.from('p=' + enc));
    tx.processRequestBody();
    const ms = performance.now() - t0;
    worst = Math.max(worst, ms);
    if (tx.budgetExceeded) stopped++;
    if (ms > 20) console.log(`${mode} ${name.padEnd(12)} ${where.padEnd(6)} ${ms.toFixed(1)} ms`);
  }
}
console.log(`${mode}, budget ${budget || 'none'}: worst ${worst.toFixed(1)} ms per request for ${size}-byte pathological inputs (${Object.keys(unit).length} shapes × arg/header/body; ${stopped} stopped by the budget)`);
