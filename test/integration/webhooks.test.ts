/**
 * Webhooks end to end: a real receiver verifies the signature; an origin going down and up, and a legal order,
 * are delivered; a failing receiver is retried with backoff and every attempt is in the delivery log.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

interface Got { event: string; body: { id: string; event: string; zone: string | null; data: Record<string, unknown> }; valid: boolean }
let node: TestNode;
let origin: TestOrigin;
const got: Got[] = [];
let failNext = 0;
let secret = '';
const receiver = createServer((req, res) => {
  let raw = '';
  req.on('data', (d) => { raw += d; });
  req.on('end', () => {
    if (failNext > 0) { failNext--; res.writeHead(503).end(); return; }
    const sig = String(req.headers['rampart-signature'] ?? '');
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
    const want = m ? createHmac('sha256', secret).update(`${m[1]}.${raw}`).digest() : Buffer.alloc(32);
    const valid = m !== null && timingSafeEqual(want, Buffer.from(m[2]!, 'hex'));
    got.push({ event: String(req.headers['rampart-event']), body: JSON.parse(raw) as Got['body'], valid });
    res.writeHead(204).end();
  });
});
let hookUrl = '';
const waitFor = async (what: string, f: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(f(), `timed out waiting for ${what}`);
};

before(async () => {
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  origin = await startOrigin();
  node = await startTestNode();
});
after(async () => { await node.stop(); await origin.close(); receiver.close(); });

test('create (secret shown once), signed deliveries for origin down/up and a legal order', async () => {
  const c = await node.api<{ id: string; secret: string; secret_hint: string }>('POST', '/client/v4/webhooks', { url: hookUrl, events: ['origin.down', 'origin.up', 'legal.order_recorded'] });
  assert.equal(c.status, 200, JSON.stringify(c.json.errors));
  secret = c.json.result.secret;
  assert.ok(secret.length >= 32);
  const read = await node.api<Record<string, unknown>>('GET', `/client/v4/webhooks/${c.json.result.id}`);
  assert.equal(read.json.result['secret'], undefined, 'the secret is never read back');
  assert.equal(read.json.result['secret_hint'], '…' + secret.slice(-4));
  // an origin with health checks that goes down, then comes back
  const z = await node.addZone('hooks.test', [`127.0.0.1:${origin.port}`], { pool: { health_check: { enabled: true, path: '/health', interval: 1, timeout: 1, healthy_threshold: 1, unhealthy_threshold: 1 } } });
  await origin.close();
  await waitFor('origin.down', () => got.some((g) => g.event === 'origin.down'));
  const down = got.find((g) => g.event === 'origin.down')!;
  assert.equal(down.valid, true, 'the signature verifies');
  assert.equal(down.body.zone, 'hooks.test');
  origin = await startOrigin('127.0.0.1', undefined, origin.port);
  await waitFor('origin.up', () => got.some((g) => g.event === 'origin.up'));
  const legal = await node.api('POST', '/client/v4/legal/orders', { zone: 'hooks.test', court: 'Tribunal de Paris', case: 'RG 26/01234', date: '2026-11-20', jurisdiction: 'FR', document_base64: Buffer.from('%PDF-1.4 order').toString('base64'), paths: ['/banned'] });
  assert.equal(legal.status, 200, JSON.stringify(legal.json.errors));
  await waitFor('legal.order_recorded', () => got.some((g) => g.event === 'legal.order_recorded'));
  assert.equal(got.find((g) => g.event === 'legal.order_recorded')?.body.data['case'], 'RG 26/01234');
  void z;
});

test('a failing receiver is retried; every attempt is logged; a wrong token is refused', async () => {
  const c = await node.api<{ id: string; secret: string }>('POST', '/client/v4/webhooks', { url: hookUrl, events: ['test'] });
  secret = c.json.result.secret;
  failNext = 1;
  const first = await node.api<{ status: number; retrying: boolean; attempt: number }>('POST', `/client/v4/webhooks/${c.json.result.id}/test`);
  assert.deepEqual([first.json.result.status, first.json.result.retrying, first.json.result.attempt], [503, true, 1]);
  await waitFor('the retry', () => got.some((g) => g.event === 'test'));
  const log = await node.api<Array<{ attempt: number; status: number; ok: boolean }>>('GET', `/client/v4/webhooks/${c.json.result.id}/deliveries`);
  assert.deepEqual(log.json.result.map((d) => [d.attempt, d.status, d.ok]), [[2, 204, true], [1, 503, false]]);
  assert.equal((await node.api('GET', '/client/v4/webhooks', undefined, 'wrong-token')).status, 403);
  const bad = await node.api('POST', '/client/v4/webhooks', { url: 'ftp://x', events: ['nope'] });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.json.errors), /url/);
});
