import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';

let node: TestNode;
before(async () => { node = await startTestNode(); });
after(async () => { await node.stop(); });

/** A port on loopback that nothing listens on. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

test('an origin that refuses the connection answers 502 with a page naming the failing side and the ray', async () => {
  await node.addZone('dead.test', [`127.0.0.1:${await deadPort()}`], { pool: { health_check: { enabled: false } } });
  const r = await node.get('dead.test', '/', { headers: { accept: 'text/html' } });
  assert.equal(r.status, 502);
  assert.match(r.text, /origin\.refused/);
  assert.match(r.text, /Origin<\/div><span class="bad">/);
  assert.match(r.text, /Edge<\/div><span class="ok">/);
  assert.ok(r.text.includes(String(r.headers['rampart-ray'])));
  const j = await node.get('dead.test', '/', { headers: { accept: 'application/json' } });
  assert.equal((JSON.parse(j.text) as { errors: Array<{ code: number }> }).errors[0]?.code, 1502);
});

test('an origin that does not answer in time gives 504', async () => {
  const o = await startOrigin();
  try {
    await node.addZone('slow.test', [o.address], { pool: { response_timeout: 0.3, health_check: { enabled: false } } });
    const r = await node.get('slow.test', '/?delay_ms=2000');
    assert.equal(r.status, 504);
    assert.match(r.text, /origin\.timeout/);
  } finally { await o.close(); }
});

test('a zone without origins answers 503 with a clear code', async () => {
  await node.addZone('empty.test', []);
  const r = await node.get('empty.test', '/', { headers: { accept: 'application/json' } });
  assert.equal(r.status, 503);
  assert.match(r.text, /origin\.none_configured/);
});

test('failover: requests go to the live origin when another refuses connections', async () => {
  const live = await startOrigin();
  try {
    await node.addZone('pair.test', [`127.0.0.1:${await deadPort()}`, live.address], { pool: { health_check: { enabled: false } } });
    for (let i = 0; i < 10; i++) {
      const r = await node.get('pair.test', `/f${i}`);
      assert.equal(r.status, 200, `request ${i}`);
    }
    assert.equal(live.seen.length, 10);
  } finally { await live.close(); }
});

test('weights spread requests across healthy origins', async () => {
  const a = await startOrigin();
  const b = await startOrigin();
  try {
    await node.addZone('weights.test', [], { origins: [{ address: a.address, weight: 3 }, { address: b.address, weight: 1 }], pool: { health_check: { enabled: false } } });
    for (let i = 0; i < 40; i++) await node.get('weights.test', '/w');
    assert.equal(a.seen.length, 30);
    assert.equal(b.seen.length, 10);
  } finally { await a.close(); await b.close(); }
});

test('active health checks take a failing origin out of the pool and put it back when it recovers', async () => {
  let healthy = true;
  const sick = await startOrigin('127.0.0.1', (req, res) => {
    if (req.url === '/healthz') { res.writeHead(healthy ? 200 : 500); res.end(); return; }
    res.writeHead(200, { 'x-who': 'sick' }); res.end('sick');
  });
  const good = await startOrigin('127.0.0.1', (req, res) => { res.writeHead(200, { 'x-who': 'good' }); res.end('good'); });
  try {
    await node.addZone('health.test', [sick.address, good.address], { pool: { health_check: { enabled: true, path: '/healthz', interval: 1, timeout: 1, unhealthy_threshold: 1, healthy_threshold: 1 } } });
    healthy = false;
    await waitUntil(async () => {
      const who = new Set<string>();
      for (let i = 0; i < 6; i++) who.add(String((await node.get('health.test', '/')).headers['x-who']));
      return who.size === 1 && who.has('good');
    }, 5000, 'sick origin removed');
    healthy = true;
    await waitUntil(async () => {
      const who = new Set<string>();
      for (let i = 0; i < 6; i++) who.add(String((await node.get('health.test', '/')).headers['x-who']));
      return who.has('sick');
    }, 5000, 'recovered origin back');
    const checks = sick.seen.filter((s) => s.url === '/healthz');
    assert.ok(checks.length >= 2);
    assert.equal(checks[0]?.headers['host'], 'health.test');
  } finally { await sick.close(); await good.close(); }
});

test('passive checks: consecutive failures mark an origin down without active checks', async () => {
  const good = await startOrigin();
  const dp = await deadPort();
  try {
    // POST bodies cannot be retried on another origin, so failures surface as 502 until the origin is marked down
    await node.addZone('passive.test', [`127.0.0.1:${dp}`, good.address], { pool: { health_check: { enabled: false, passive_failures: 2 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await node.get('passive.test', '/p', { method: 'POST', body: 'x' })).status);
    const last4 = statuses.slice(-4);
    assert.deepEqual(last4, [200, 200, 200, 200], `statuses ${statuses.join(',')}`);
    assert.ok(statuses.filter((s) => s === 502).length <= 2, `at most threshold failures: ${statuses.join(',')}`);
  } finally { await good.close(); }
});

async function waitUntil(f: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await f()) return; await new Promise((r) => setTimeout(r, 100)); }
  assert.fail(`timed out waiting for: ${what}`);
}
