/**
 * Propagation time of a configuration change across a fleet: for each of N changes, add a firewall rule on the
 * control plane (blocking /p<i>) and poll every edge every 2 ms until it answers 403; the change's propagation
 * time is from just before the API call to the moment the last edge blocks. Prints p50, p99, max (ms).
 * Usage: node bench/fleet-propagation.ts CONTROL_ADMIN_URL TOKEN ZONE_ID EDGE_HTTP_URL... [--changes N] [--host H]
 */
import { request } from 'node:http';

const args = process.argv.slice(2);
const flag = (name: string, def: string): string => { const i = args.indexOf(name); if (i < 0) return def; const v = args[i + 1] ?? def; args.splice(i, 2); return v; };
const changes = Number(flag('--changes', '50'));
const host = flag('--host', 'bench.test');
const [admin, token, zone, ...edges] = args;
if (!admin || !token || !zone || edges.length === 0) { process.stderr.write('usage: fleet-propagation.ts ADMIN TOKEN ZONE EDGE...\n'); process.exit(2); }

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    const q = request(url, { headers: { host }, agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    q.on('error', () => resolve(0));
    q.end();
  });
}

const times: number[] = [];
const run = Date.now().toString(36);
for (let i = 0; i < changes; i++) {
  const path = `/p-${run}-${i}`;
  const t0 = performance.now();
  const r = await fetch(`${admin}/client/v4/zones/${zone}/firewall/rules`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ expression: `http.request.uri.path eq "${path}"`, action: 'block' }),
  });
  if (r.status !== 200) throw new Error(`rule add: ${r.status} ${await r.text()}`);
  await r.arrayBuffer();
  await Promise.all(edges.map(async (e) => {
    for (;;) {
      if (await status(e + path) === 403) return;
      if (performance.now() - t0 > 10_000) throw new Error(`${e} did not apply change ${i} within 10 s`);
      await new Promise((res) => setTimeout(res, 2));
    }
  }));
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const q = (p: number): number => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] ?? NaN;
process.stdout.write(`changes ${times.length}  p50 ${q(0.5).toFixed(1)} ms  p99 ${q(0.99).toFixed(1)} ms  max ${(times.at(-1) ?? NaN).toFixed(1)} ms\n`);
