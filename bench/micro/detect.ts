/**
 * Micro-benchmark of the WAF's own @detectSQLi / @detectXSS detectors (src/waf/detect).
 * Run: node bench/micro/detect.ts   (prints ns/op per input; the goal is < ~5 µs for a typical 30-byte value)
 * Baseline, measured in the same run: one toLowerCase() of the input, the cheapest transformation a WAF applies;
 * the ratio columns say how many such passes each detector costs.
 */
import { detectSqli, detectXss } from '../../src/waf/detect/index.ts';

const inputs: [string, string][] = [
  ['benign 30B', 'john.smith@example.com page 2'],
  ['benign quote', "Patrick O'Brien, Dublin 2, IE"],
  ['benign search', 'cheap flights to new york city'],
  ['benign json', '{"name":"John","age":30,"x":1}'],
  ['sqli tautology', "x' or '1'='1' -- comment here"],
  ['sqli union', '1 union all select 1,2,version()'],
  ['xss tag', '<img src=x onerror=alert(1)>  '],
  ['long benign 4KiB', 'lorem ipsum dolor sit amet '.repeat(152)],
  ['worst quotes 4KiB', `'"\`=<a x=`.repeat(512)],
];

function bench(fn: (s: string) => unknown, s: string): number {
  let n = 1000;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(s);
    const dt = Number(process.hrtime.bigint() - t0);
    if (dt > 200e6 || n >= 1e7) return dt / n;
    n *= 4;
  }
}

const sqli = (s: string): boolean => detectSqli(s).isSqli;
const lower = (s: string): number => s.toLowerCase().length;
console.log(
  'input'.padEnd(20),
  'bytes'.padStart(6),
  'baseline ns'.padStart(12),
  'detectSqli ns/op'.padStart(17),
  'x base'.padStart(7),
  'detectXss ns/op'.padStart(16),
  'x base'.padStart(7),
);
for (const [name, s] of inputs) {
  const base = bench(lower, s);
  const q = bench(sqli, s);
  const x = bench(detectXss, s);
  console.log(
    name.padEnd(20),
    String(s.length).padStart(6),
    base.toFixed(0).padStart(12),
    q.toFixed(0).padStart(17),
    (q / base).toFixed(1).padStart(7),
    x.toFixed(0).padStart(16),
    (x / base).toFixed(1).padStart(7),
  );
}
