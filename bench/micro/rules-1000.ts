// 1,000 custom rules of mixed kinds, none matching: time per request through evaluateRules (guards, shared
// per-request values, literal prefilters), against the same compiled rules called one by one without guards
// (the baseline), in alternating rounds so that both see the same machine load. Goal: ≤ 20 µs per request.
// Run: node bench/micro/rules-1000.ts
import { loadavg } from 'node:os';
import { enableSafeRegex } from '../../src/lib/regex.ts';
import { compileCustomRules, createRuleRequest, CustomRuleSchema, evaluateRules } from '../../src/rules/index.ts';
import type { CompiledCustomRule, CustomRule, RuleRequest } from '../../src/rules/index.ts';

enableSafeRegex();

const UAS = ['Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0', 'curl/8.5.0', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1'];
const reqs: RuleRequest[] = [];
for (let i = 0; i < 64; i++) {
  reqs.push(createRuleRequest({
    method: i % 3 === 0 ? 'POST' : 'GET',
    uri: i % 5 === 0 ? '/wp-login.php?x=1' : `/product/${i}?ref=home&utm_source=news`,
    headers: { host: 'shop.test', 'user-agent': UAS[i % 3] as string, accept: 'text/html', cookie: `session=abc${i}; theme=dark`, 'x-api-key': `k${i}` },
    ip: i % 4 === 0 ? `2001:db8:ff::${i}` : `198.51.100.${i}`,
    country: i % 2 ? 'FR' : 'US', asn: 64496 + (i % 7), ssl: true,
  }));
}
let k = 0;
const next = (): RuleRequest => reqs[(k = (k + 1) & 63)] as RuleRequest;

const kinds = [
  (i: number) => `http.request.uri.path eq "/admin/${i}" and not ip.src in {10.${i & 255}.0.0/16}`,
  (i: number) => `http.host eq "site${i}.test" and http.request.method eq "DELETE"`,
  (i: number) => `starts_with(http.request.uri.path, "/private-${i}/")`,
  (i: number) => `http.user_agent contains "bad-bot-${i}"`,
  (i: number) => `ip.src in {192.0.2.${i & 255} 2001:db8:${i.toString(16)}::/48} and ip.src.country in {"KP" "XX"}`,
  (i: number) => `http.request.uri.query matches "id=${i}[0-9]+'"`,
  (i: number) => `any(http.request.headers["x-debug-${i}"][*] eq "1")`,
  (i: number) => `http.request.body.size gt ${1_000_000 + i} and http.request.method eq "POST"`,
  (i: number) => `ip.src.asnum in {${i + 1}..${i + 3}} and rampart.threat_score gt 90`,
  (i: number) => `lower(http.request.uri.path) wildcard "/backup-${i}/*.sql"`,
];
const custom: CustomRule[] = [];
for (let i = 0; i < 1000; i++) custom.push(CustomRuleSchema.parse({ id: `r${i}`, expression: (kinds[i % kinds.length] as (i: number) => string)(i), action: i % 2 ? 'block' : 'managed_challenge' }));

const t0 = process.hrtime.bigint();
const zone: CompiledCustomRule[] = compileCustomRules(custom);
const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;

function baseline(rules: readonly CompiledCustomRule[], req: RuleRequest): CompiledCustomRule | null {
  for (const r of rules) if (r.expression.evaluate(req)) return r;
  return null;
}

function round(fn: () => unknown, n: number): number {
  const s = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (fn()) throw new Error('a rule matched');
  return Number(process.hrtime.bigint() - s) / n / 1000;
}

// warm up both paths
for (let i = 0; i < 20_000; i++) { evaluateRules(zone, next()); baseline(zone, next()); }
const a: number[] = [];
const b: number[] = [];
for (let r = 0; r < 15; r++) {
  a.push(round(() => evaluateRules(zone, next()).terminal, 2000));
  b.push(round(() => baseline(zone, next()), 2000));
}
const median = (x: number[]): number => [...x].sort((p, q) => p - q)[x.length >> 1] as number;
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`compile 1,000 rules: ${compileMs.toFixed(1)} ms`);
console.log(`evaluateRules, 1,000 rules, no match: median ${median(a).toFixed(2)} µs/request (best ${Math.min(...a).toFixed(2)})`);
console.log(`baseline (no guards), same rules:      median ${median(b).toFixed(2)} µs/request (best ${Math.min(...b).toFixed(2)})`);
console.log(`ratio baseline / evaluateRules: ${(median(b) / median(a)).toFixed(2)}`);
