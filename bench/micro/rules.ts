// Micro-benchmark of the rules language: ns/op for a typical 3-clause expression, a 1,000-rule zone where nothing
// matches, compile times, and access-rule lookups among 100,000 entries. Run: node bench/micro/rules.ts
import { enableSafeRegex } from '../../src/lib/regex.ts';
import {
  compileAccessRules, compileCustomRules, compileExpression, createRuleRequest, CustomRuleSchema, evaluateRules,
} from '../../src/rules/index.ts';
import type { AccessRule, CompiledExpression, CustomRule, RuleRequest } from '../../src/rules/index.ts';

enableSafeRegex();

function nsPerOp(label: string, iterations: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(iterations, 10_000); i++) fn(); // warm up
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < iterations; i++) if (fn()) sink++;
  const ns = Number(process.hrtime.bigint() - t0) / iterations;
  console.log(`${label.padEnd(58)} ${ns.toFixed(1).padStart(10)} ns/op  (${sink} true)`);
  return ns;
}

function ms(label: string, fn: () => unknown): void {
  const t0 = process.hrtime.bigint();
  fn();
  console.log(`${label.padEnd(58)} ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1).padStart(10)} ms`);
}

const reqs: RuleRequest[] = [];
for (let i = 0; i < 64; i++) {
  reqs.push(createRuleRequest({
    method: i % 3 === 0 ? 'POST' : 'GET',
    uri: i % 5 === 0 ? '/wp-login.php?x=1' : `/product/${i}?ref=home`,
    headers: { host: 'shop.test', 'user-agent': 'Mozilla/5.0 Firefox/120', accept: 'text/html', 'x-api-key': `k${i}` },
    ip: `198.51.100.${i}`,
    country: i % 2 ? 'FR' : 'US',
    asn: 64496 + (i % 7),
    ssl: true,
  }));
}
let k = 0;
const next = (): RuleRequest => reqs[(k = (k + 1) & 63)] as RuleRequest;

const three = compileExpression('http.request.method eq "POST" and http.request.uri.path eq "/wp-login.php" and not ip.src in {198.51.100.0/28 203.0.113.0/24}');
nsPerOp('3-clause expression (method, path, ip set)', 2_000_000, () => three.evaluate(next()));
const regex = compileExpression('http.user_agent matches "(?:curl|wget|python-requests)/" or any(http.request.headers["x-api-key"][*] in {"k1" "k2"})');
nsPerOp('regex or any([*] in set)', 1_000_000, () => regex.evaluate(next()));

// A zone with 1,000 custom rules of mixed kinds, none of which matches the benchmark requests.
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
for (let i = 0; i < 1000; i++) {
  custom.push(CustomRuleSchema.parse({ id: `r${i}`, expression: (kinds[i % kinds.length] as (i: number) => string)(i), action: i % 2 ? 'block' : 'managed_challenge' }));
}
let zone: ReturnType<typeof compileCustomRules> = [];
ms('compile 1,000 custom rules', () => { zone = compileCustomRules(custom); });
const samples: number[] = [];
for (let round = 0; round < 200; round++) {
  const r = next();
  const t0 = process.hrtime.bigint();
  const o = evaluateRules(zone, r);
  samples.push(Number(process.hrtime.bigint() - t0));
  if (o.terminal) throw new Error(`unexpected match ${o.terminal.id}`);
}
nsPerOp('1,000 rules, no match (mean)', 20_000, () => evaluateRules(zone, next()).terminal);
samples.sort((a, b) => a - b);
console.log(`${'1,000 rules, no match (median of 200 single runs)'.padEnd(58)} ${(samples[100] as number).toFixed(0).padStart(10)} ns`);

// 100,000 access-rule entries.
const access: AccessRule[] = [];
let seed = 1;
const rnd = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed; };
for (let i = 0; i < 100_000; i++) {
  const v = rnd();
  const bits = i % 4 === 0 ? 32 : 16 + (rnd() % 17);
  access.push({ id: `a${i}`, mode: 'block', target: bits === 32 ? 'ip' : 'cidr', value: `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}${bits === 32 ? '' : `/${bits}`}` });
}
for (let i = 0; i < 1000; i++) access.push({ id: `v6-${i}`, mode: 'challenge', target: 'cidr', value: `2001:db8:${i.toString(16)}::/48` });
let matcher: ReturnType<typeof compileAccessRules> | undefined;
ms('compile 101,000 access rules', () => { matcher = compileAccessRules(access); });
const m = matcher as NonNullable<typeof matcher>;
nsPerOp('access lookup, IPv4 text (101,000 entries)', 1_000_000, () => m.match(next().ip, 'FR', 64496));
nsPerOp('access lookup, IPv6 text (101,000 entries)', 200_000, () => m.match('2001:db8:17::1'));
let compiled: CompiledExpression | undefined;
ms('compile one 3-clause expression x1000', () => { for (let i = 0; i < 1000; i++) compiled = compileExpression(three.source); });
void compiled;
