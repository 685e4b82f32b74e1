/**
 * Origin protection end to end (issue 6): a slow origin that counts requests in flight, N concurrent clients.
 * Exactly origin_max_concurrency reach it at once, origin_queue more are served after, the rest get 503
 * origin.overloaded with Retry-After; every request carries a rampart-origin-auth header the origin verifies.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { Agent, request } from 'undici';
import { verifyOriginAuth } from '../../src/edge/phases/origin-protection/index.ts';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

const SECRET = 'origin-pull-secret-0123456789abcdef0123';
let node: TestNode;
let origin: TestOrigin;
let zid: string;
let inflight = 0;
let peak = 0;
const held: ServerResponse[] = [];
const authResults: string[] = [];

before(async () => {
  node = await startTestNode();
  origin = await startOrigin('127.0.0.1', (req, res) => {
    const check = verifyOriginAuth(req.headers['rampart-origin-auth'] as string | undefined, SECRET, String(req.headers.host ?? '').toLowerCase().replace(/:\d+$/, ''), Date.now());
    authResults.push(check.ok ? 'ok' : check.reason);
    inflight++;
    peak = Math.max(peak, inflight);
    res.once('finish', () => { inflight--; });
    if ((req.url ?? '').startsWith('/slow')) { held.push(res); return; }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('fast');
  });
  zid = (await node.addZone('busy.test', [origin.address], {
    settings: { origin_max_concurrency: 3, origin_queue: 2, origin_queue_timeout_ms: 30_000, origin_pull_secret: SECRET },
  })).id;
});
after(async () => { for (const r of held) r.end(); await node.stop(); await origin.close(); });

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `gave up waiting for ${what}`);
}

test('8 concurrent clients, cap 3 + queue 2: 3 in flight at the origin, 5 served, 3 refused with Retry-After', async () => {
  const agent = new Agent({ connections: 20 });
  const results: Array<{ status: number; retryAfter: unknown; text: string }> = [];
  const all = Array.from({ length: 8 }, (_, i) => request(`http://127.0.0.1:${node.httpPort}/slow/${i}`, { headers: { host: 'busy.test', accept: 'application/json' }, dispatcher: agent })
    .then(async (r) => { const x = { status: r.statusCode, retryAfter: r.headers['retry-after'], text: await r.body.text() }; results.push(x); return x; }));
  await until(() => held.length === 3 && results.length === 3, '3 at the origin and 3 refused');
  assert.equal(inflight, 3);
  for (const r of results) {
    assert.equal(r.status, 503);
    assert.equal(r.retryAfter, '5');
    assert.match(r.text, /origin\.overloaded/);
  }
  // the origin answers the first three; the two queued requests take their slots, never more than 3 at once
  for (const r of held.splice(0, 3)) r.end('done');
  await until(() => held.length === 2, 'the queued two at the origin');
  for (const r of held.splice(0, 2)) r.end('done');
  const statuses = (await Promise.all(all)).map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 503, 503, 503]);
  assert.equal(peak, 3);
  await agent.close();
});

test('authenticated origin pull: every request signed, a client cannot supply its own header, the secret is never read back', async () => {
  authResults.length = 0;
  const r = await node.get('busy.test', '/fast', { headers: { 'rampart-origin-auth': 't=1,ray=forged,sig=' + '0'.repeat(64) } });
  assert.equal(r.status, 200);
  assert.deepEqual(authResults, ['ok']);
  const z = await node.api<{ settings: Record<string, unknown> }>('GET', `/client/v4/zones/${zid}`);
  assert.equal(z.json.result.settings['origin_pull_secret_set'], true);
  assert.ok(!JSON.stringify(z.json.result).includes(SECRET));
  const s = await node.api<Array<{ id: string; value: unknown }>>('GET', `/client/v4/zones/${zid}/settings`);
  assert.ok(!JSON.stringify(s.json.result).includes(SECRET));
  // switched off: no header reaches the origin
  await node.api('PATCH', `/client/v4/zones/${zid}/settings`, { origin_pull_secret: null });
  const v = (await node.api<{ config_version: number }>('GET', '/client/v4/system/status')).json.result.config_version;
  await node.waitForVersion(v);
  authResults.length = 0;
  await node.get('busy.test', '/fast');
  assert.deepEqual(authResults, ['missing']);
});
