/** `rampart why RAY`: the ray trace of a blocked request, from the security events, through the real CLI. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
let node: TestNode;
let origin: TestOrigin;
let zid = '';

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, ...args], {
      env: { ...process.env, RAMPART_API: `http://127.0.0.1:${node.adminPort}`, RAMPART_ADMIN_TOKEN: node.adminToken },
    });
    let out = ''; let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

before(async () => {
  origin = await startOrigin();
  node = await startTestNode();
  zid = (await node.addZone('trace.test', [`127.0.0.1:${origin.port}`])).id;
  await node.api('POST', `/client/v4/zones/${zid}/firewall/rules`, { expression: 'http.request.uri.path eq "/admin"', action: 'block', description: 'no admin' });
  await node.api('POST', `/client/v4/zones/${zid}/firewall/rules`, { expression: 'http.request.uri.path eq "/admin"', action: 'log' });
});
after(async () => { await node.stop(); await origin.close(); });

test('a blocked request: every phase up to the one that decided, and why', async () => {
  const r = await node.get('trace.test', '/admin?x=1');
  assert.equal(r.status, 403);
  const ray = String(r.headers['rampart-ray']);
  assert.match(ray, /\S+/);
  let res = await cli(['why', ray]);
  for (let i = 0; i < 50 && res.code !== 0; i++) { await new Promise((t) => setTimeout(t, 100)); res = await cli(['why', ray]); } // events are batched (200 ms)
  assert.equal(res.code, 0, res.err);
  assert.match(res.out, new RegExp(`ray ${ray}  zone trace\\.test`));
  assert.match(res.out, /GET trace\.test\/admin\?x=1 {2}from 127\.0\.0\.1 {2}→ 403/);
  const phases = res.out.split('phases:\n')[1]?.split('\nthreat score')[0]?.split('\n').map((l) => l.trim().split(/\s+/).slice(0, 3)) ?? [];
  // the phases in their fixed order up to the firewall rules (others may sit between: the order is docs/lifecycle.md's)
  assert.deepEqual(phases.slice(0, 3).map((p) => p[0]), ['legal', 'access-rules', 'reputation'], res.out);
  assert.ok(phases.slice(0, -1).every((p) => p[1] === 'continue'), res.out);
  assert.deepEqual(phases.at(-1), ['firewall-rules', 'respond', 'firewall.block']);
  assert.match(res.out, /event: block by firewall rule \S+ \(firewall\.block\)/);
  const json = await cli(['why', ray, '--zone', 'trace.test', '--json']);
  const env = JSON.parse(json.out) as { result: Array<{ details: { trace: { phases: Array<{ phase: string; decision: string }> } } }> };
  assert.equal(env.result[0]?.details.trace.phases.at(-1)?.phase, 'firewall-rules');
});

test('a ray with no event says why there is nothing, and exits 1', async () => {
  const r = await node.get('trace.test', '/fine');
  assert.equal(r.status, 200);
  const res = await cli(['why', 'no-such-ray', '--zone', 'trace.test']);
  assert.equal(res.code, 1);
  assert.match(res.err, /no security event for ray no-such-ray in trace\.test: the request passed every phase/);
});
