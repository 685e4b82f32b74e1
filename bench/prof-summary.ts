/**
 * Summarise a V8 .cpuprofile (node --cpu-prof): the top N functions by self time with file:line, then self time
 * rolled up by file (node internals, node_modules packages and our sources).
 * Usage: node bench/prof-summary.ts PROFILE.cpuprofile [N=25] [--include-idle]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] }

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const topN = Number(args.find((a) => /^\d+$/.test(a)) ?? 25);
const includeIdle = args.includes('--include-idle');
if (file === undefined) {
  process.stderr.write('usage: node bench/prof-summary.ts PROFILE.cpuprofile [N] [--include-idle]\n');
  process.exit(2);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map<number, ProfileNode>(prof.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);

// self time per node: each sample owns the interval up to the next sample (µs)
const selfUs = new Map<number, number>();
const samples = prof.samples ?? [];
const deltas = prof.timeDeltas ?? [];
for (let i = 0; i < samples.length; i++) {
  const id = samples[i]!;
  const d = deltas[i + 1] ?? (samples.length > 1 ? (prof.endTime - prof.startTime) / samples.length : 0);
  selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, d));
}

function shortUrl(url: string): string {
  let u = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (u.startsWith(root)) u = u.slice(root.length);
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) u = u.slice(nm);
  return u;
}

const IDLE = new Set(['(idle)', '(program)']);
interface Row { name: string; where: string; us: number; callers: Map<string, number> }
const fns = new Map<string, Row>();
const files = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  if (n === undefined) continue;
  const cf = n.callFrame;
  const name = cf.functionName || '(anonymous)';
  if (!includeIdle && IDLE.has(name)) { idle += us; continue; }
  total += us;
  const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : '';
  const key = name + '\0' + where;
  let r = fns.get(key);
  if (!r) { r = { name, where, us: 0, callers: new Map() }; fns.set(key, r); }
  r.us += us;
  if (!cf.url) { // native or builtin code: say which JavaScript function called it
    let p = parentOf.get(id);
    while (p !== undefined && !byId.get(p)?.callFrame.url) p = parentOf.get(p);
    const pf = p === undefined ? undefined : byId.get(p)?.callFrame;
    if (pf) { const c = `${pf.functionName || '(anonymous)'} ${shortUrl(pf.url)}:${pf.lineNumber + 1}`; r.callers.set(c, (r.callers.get(c) ?? 0) + us); }
  }
  const f = cf.url ? (shortUrl(cf.url).match(/^node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? shortUrl(cf.url)) : name;
  files.set(f, (files.get(f) ?? 0) + us);
}

const pct = (us: number): string => (total > 0 ? (100 * us / total).toFixed(1) : '0.0').padStart(5) + '%';
const ms = (us: number): string => (us / 1000).toFixed(1).padStart(9);
const wall = (prof.endTime - prof.startTime) / 1000;
process.stdout.write(`profile ${file}: ${wall.toFixed(0)} ms wall, ${(total / 1000).toFixed(0)} ms busy` +
  (includeIdle ? '' : `, ${(idle / 1000).toFixed(0)} ms idle/(program) left out`) + `, ${samples.length} samples\n\n`);
process.stdout.write(`top ${topN} functions by self time (% of busy time)\n`);
process.stdout.write(`${'self %'.padStart(6)} ${'self ms'.padStart(9)}  function  (file:line)\n`);
for (const r of [...fns.values()].sort((a, b) => b.us - a.us).slice(0, topN)) {
  let via = '';
  if (r.callers.size) {
    const [c, cus] = [...r.callers.entries()].sort((a, b) => b[1] - a[1])[0]!;
    via = `  <- mostly ${c} (${Math.round(100 * cus / r.us)}%)`;
  }
  process.stdout.write(`${pct(r.us)} ${ms(r.us)}  ${r.name}${r.where ? `  (${r.where})` : ''}${via}\n`);
}
process.stdout.write(`\nself time by file / package (top 15)\n`);
for (const [f, us] of [...files.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  process.stdout.write(`${pct(us)} ${ms(us)}  ${f}\n`);
}
