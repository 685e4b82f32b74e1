/**
 * The coalescing check of issue 7's cache benchmark: N concurrent misses for one key must make exactly one origin
 * request. Starts its own slow origin (it answers after DELAY ms, Cache-Control: max-age=600, and counts requests),
 * adds the zone coalesce.test pointing at it through the admin API, waits until the edge serves it, then sends N
 * concurrent GETs for one new URL (one connection each) and prints one JSON line:
 *   {"concurrent":N,"origin_requests":1,"ok":N,"statuses":{"MISS":1,"HIT":N-1},"ms":...}
 * Usage: node bench/cache-coalesce.ts EDGE_PORT ADMIN_URL ADMIN_TOKEN [N=1000] [DELAY_MS=1000]
 * The edge's per-IP connection limits must allow N connections (bench/cache.sh raises them in its config file).
 */
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const [edgePort, adminUrl, token] = [Number(process.argv[2]), process.argv[3] ?? '', process.argv[4] ?? ''];
const n = Number(process.argv[5] ?? 1000);
const delay = Number(process.argv[6] ?? 1000);
let hits = 0;
const origin = createServer((req, res) => {
  if (req.url === '/') { res.end('ok'); return; } // health checks
  hits++;
  setTimeout(() => { res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=600' }); res.end('x'.repeat(1024)); }, delay);
});
await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
const originPort = (origin.address() as { port: number }).port;

const api = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: { result: Record<string, unknown> } }> => {
  const r = await request(adminUrl + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: r.statusCode, json: await r.body.json() as { result: Record<string, unknown> } };
};
const made = await api('POST', '/client/v4/zones', { name: 'coalesce.test', origins: [`127.0.0.1:${originPort}`], settings: { auto_mitigation: 'off' } });
if (made.status !== 200) { console.error('zone add failed', JSON.stringify(made.json)); process.exit(1); }
const edge = `http://127.0.0.1:${edgePort}`;
for (let i = 0; ; i++) {
  const r = await request(`${edge}/warm-${i}`, { headers: { host: 'coalesce.test' } }).catch(() => undefined);
  if (r !== undefined) { await r.body.dump(); if (r.statusCode === 200) break; }
  if (i > 200) { console.error('the edge does not serve coalesce.test'); process.exit(1); }
  await new Promise((res) => setTimeout(res, 50));
}
const before = hits;
const agent = new Agent({ connections: n, pipelining: 1 });
const path = `/one-key?t=${Date.now()}`;
const t0 = performance.now();
const results = await Promise.all(Array.from({ length: n }, async () => {
  try {
    const r = await request(edge + path, { headers: { host: 'coalesce.test' }, dispatcher: agent, headersTimeout: 30_000, bodyTimeout: 30_000 });
    const text = await r.body.text();
    return { ok: r.statusCode === 200 && text.length === 1024, label: String(r.headers['rampart-cache-status']) };
  } catch (e) { return { ok: false, label: (e as Error).message }; }
}));
const statuses: Record<string, number> = {};
for (const r of results) statuses[r.label] = (statuses[r.label] ?? 0) + 1;
console.log(JSON.stringify({ concurrent: n, origin_requests: hits - before, ok: results.filter((r) => r.ok).length, statuses, ms: Math.round(performance.now() - t0) }));
await agent.close();
origin.close();
process.exit(hits - before === 1 ? 0 : 2);
