// Cluster mode: this test process is the primary; the edge runs in real worker processes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

let node: TestNode;
let origin: TestOrigin;
before(async () => {
  origin = await startOrigin();
  node = await startTestNode({ workers: 2 });
  await node.addZone('w.test', [origin.address]);
});
after(async () => { await node.stop(); await origin.close(); });

test('two worker processes serve the zone', async () => {
  const st = await node.api<{ workers: Array<{ pid: number; config_version: number }> }>('GET', '/client/v4/system/status');
  assert.equal(st.json.result.workers.length, 2);
  assert.notEqual(st.json.result.workers[0]?.pid, st.json.result.workers[1]?.pid);
  const r = await node.get('w.test', '/');
  assert.equal(r.status, 200);
});

test('a change through the API reaches every worker within 1 s', async () => {
  const t0 = Date.now();
  const c = await node.api<{ id: string }>('POST', '/client/v4/zones', { name: 'late.test', origins: [origin.address] });
  assert.equal(c.status, 200);
  const st = await node.api<{ config_version: number }>('GET', '/client/v4/system/status');
  await node.waitForVersion(st.json.result.config_version, 1000);
  assert.ok(Date.now() - t0 < 1000);
  // fresh connections land on either worker: all must know the zone
  for (let i = 0; i < 20; i++) {
    const r = await request(`http://127.0.0.1:${node.httpPort}/`, { headers: { host: 'late.test', connection: 'close' }, reset: true });
    await r.body.dump();
    assert.equal(r.statusCode, 200);
  }
});

test('metrics are aggregated across workers', async () => {
  const r = await request(`http://127.0.0.1:${node.adminPort}/metrics`, { headers: { authorization: `Bearer ${node.adminToken}` } });
  const text = await r.body.text();
  assert.equal(r.statusCode, 200);
  assert.match(text, /rampart_requests_total\{zone="w\.test",status_class="2xx",verdict="pass"\} \d+/);
});

test('a rolling restart of the workers drops no request', async () => {
  const agent = new Agent({ connections: 8, pipelining: 1 });
  let ok = 0; let failed = 0; let running = true;
  const errors: string[] = [];
  const load = async (): Promise<void> => {
    while (running) {
      try {
        const r = await request(`http://127.0.0.1:${node.httpPort}/roll?delay_ms=20`, { headers: { host: 'w.test' }, dispatcher: agent });
        await r.body.dump();
        if (r.statusCode === 200) ok++; else { failed++; errors.push(String(r.statusCode)); }
      } catch (e) { failed++; errors.push((e as Error).message); }
    }
  };
  const loops = Array.from({ length: 6 }, () => load());
  await new Promise((r) => setTimeout(r, 300));
  const before = (await node.api<{ workers: Array<{ pid: number }> }>('GET', '/client/v4/system/status')).json.result.workers.map((w) => w.pid);
  await node.restartWorkers();
  await new Promise((r) => setTimeout(r, 300));
  running = false;
  await Promise.all(loops);
  await agent.close();
  const after = (await node.api<{ workers: Array<{ pid: number }> }>('GET', '/client/v4/system/status')).json.result.workers.map((w) => w.pid);
  assert.equal(after.length, 2);
  assert.ok(after.every((p) => !before.includes(p)), 'all workers replaced');
  assert.ok(ok > 50, `requests served during restart: ${ok}`);
  assert.equal(failed, 0, `failed requests: ${errors.slice(0, 5).join(', ')}`);
});

test('a worker that dies is replaced and the zone keeps being served', async () => {
  const st = await node.api<{ workers: Array<{ pid: number }> }>('GET', '/client/v4/system/status');
  const victim = st.json.result.workers[0]!.pid;
  process.kill(victim, 'SIGKILL');
  const end = Date.now() + 10_000;
  let pids: number[] = [];
  while (Date.now() < end) {
    pids = (await node.api<{ workers: Array<{ pid: number }> }>('GET', '/client/v4/system/status')).json.result.workers.map((w) => w.pid);
    if (pids.length === 2 && !pids.includes(victim)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(pids.length, 2);
  assert.ok(!pids.includes(victim));
  for (let i = 0; i < 10; i++) {
    const r = await request(`http://127.0.0.1:${node.httpPort}/`, { headers: { host: 'w.test', connection: 'close' }, reset: true });
    await r.body.dump();
    assert.equal(r.statusCode, 200);
  }
});
