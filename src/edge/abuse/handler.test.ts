/** The edge's abuse form against a fake sink on a real HTTP server: paths, pages, limits, formats; and the IPC sink. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { createAbuseHandler, clientKey, ABUSE_PATH, AbuseIpcClient, answerAbuseIpc } from './index.ts';
import type { AbuseSink, AbuseSubmission, AbuseFromWorker, AbuseToWorker } from './index.ts';
import { MemoryCounterStore } from '../../state/memory/index.ts';
import { ManualClock } from '../../lib/clock.ts';

const submitted: AbuseSubmission[] = [];
const sink: AbuseSink = {
  async submit(fields) {
    submitted.push(fields);
    if (fields['category'] === 'boom') throw new Error('store down');
    if (!fields['description']) return { ok: false, status: 400, errors: [{ field: 'description', message: 'description: required (what is wrong, and where)' }] };
    return { ok: true, ticket: 'AR-0123456789ABC' };
  },
  async status(t) {
    return t === 'AR-0123456789ABC' ? { ticket: t, status: 'forwarded', received: '2026-11-20T12:00:00.000Z', updated: '2026-11-20T12:00:01.000Z', forwarded: '2026-11-20T12:00:01.000Z', history: [{ status: 'received', time: '2026-11-20T12:00:00.000Z' }, { status: 'forwarded', time: '2026-11-20T12:00:01.000Z' }] } : undefined;
  },
};

const ZONES = new Set(['shop.test']);
let srv: Server;
let base: string;
const errors: unknown[] = [];
before(async () => {
  const abuse = createAbuseHandler({ sink, counters: new MemoryCounterStore({ clock: new ManualClock(1_000_000) }), onError: (e) => errors.push(e) });
  srv = createServer((req, res) => {
    const host = (req.headers.host ?? '').toLowerCase();
    const ip = String(req.headers['x-test-ip'] ?? '192.0.2.1');
    const zone = ZONES.has(host) ? host : undefined;
    if (abuse.matches(req.url, zone !== undefined)) { void abuse.handle(req, res, { ip, host, zone }); return; }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('site');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => srv.close(() => r())));

async function call(path: string, o: { host?: string; ip?: string; method?: 'GET' | 'POST' | 'HEAD' | 'PUT'; body?: string; type?: string; accept?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const r = await request(base + path, {
    method: o.method ?? (o.body !== undefined ? 'POST' : 'GET'),
    headers: { host: o.host ?? 'shop.test', 'x-test-ip': o.ip ?? '192.0.2.1', ...(o.type ? { 'content-type': o.type } : {}), ...(o.accept ? { accept: o.accept } : {}) },
    ...(o.body !== undefined ? { body: o.body } : {}),
  });
  return { status: r.statusCode, headers: r.headers, text: await r.body.text() };
}

const form = (f: Record<string, string>): string => new URLSearchParams(f).toString();

describe('abuse form on the edge', () => {
  it('matches /.rampart/abuse on every host, /abuse only on hosts that are no zone\'s', async () => {
    const h = createAbuseHandler({ sink, counters: new MemoryCounterStore({ clock: new ManualClock() }) });
    assert.equal(h.matches('/.rampart/abuse', true), true);
    assert.equal(h.matches('/.rampart/abuse/status/AR-1?x', true), true);
    assert.equal(h.matches('/.rampart/abuser', true), false);
    assert.equal(h.matches('/abuse', true), false);
    assert.equal(h.matches('/abuse', false), true);
    assert.equal(h.matches('/abuse/status/AR-1', false), true);
    assert.equal(h.matches('/abusers', false), false);
    assert.equal((await call('/abuse')).text, 'site', 'a zone keeps its own /abuse');
    const op = await call('/abuse', { host: 'edge.operator.example' });
    assert.equal(op.status, 200);
    assert.match(op.text, /<form method="post" action="\/abuse"/);
  });

  it('GET serves an accessible form with a strict CSP and the zone host prefilled', async () => {
    const r = await call(ABUSE_PATH);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/);
    const style = /<style>([^<]*)<\/style>/.exec(r.text)?.[1] ?? '';
    assert.ok(csp.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`), 'the inline style is allowed by its hash, nothing else');
    assert.doesNotMatch(r.text, /<script|\son\w+=/i);
    assert.match(r.text, /<input type="text" id="host" name="host" value="shop\.test"/);
    assert.match(r.text, /<html lang="en">/);
    for (const id of [...r.text.matchAll(/<(?:input|select|textarea)[^>]* id="([^"]+)"/g)].map((m) => m[1])) {
      assert.match(r.text, new RegExp(`<label[^>]* for="${id}"`), `field ${id} has a label`);
    }
    assert.match(r.text, /<option value="csam">/);
    assert.match((await call(`${ABUSE_PATH}?host=%22%3E%3Cscript%3E`)).text, /value="&#34;&#62;&#60;script&#62;"/, 'escaped');
    const head = await call(ABUSE_PATH, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
  });

  it('POST form → 201 page with the ticket and status URL; JSON → 201 JSON; only known fields are passed on', async () => {
    const r = await call(ABUSE_PATH, { ip: '198.51.100.1', type: 'application/x-www-form-urlencoded', body: form({ host: 'shop.test', category: 'phishing', description: 'fake login', extra: 'dropped', share_contact: 'on' }) });
    assert.equal(r.status, 201);
    assert.equal(r.headers['location'], '/.rampart/abuse/status/AR-0123456789ABC');
    assert.match(r.text, /<code>AR-0123456789ABC<\/code>/);
    assert.deepEqual(submitted.at(-1), { host: 'shop.test', category: 'phishing', description: 'fake login', share_contact: 'on' });
    const j = await call('/abuse', { host: 'operator.example', ip: '198.51.100.1', type: 'application/json', body: JSON.stringify({ url: 'https://shop.test/x', category: 'malware', description: 'd', share_contact: true, n: 5 }) });
    assert.equal(j.status, 201);
    assert.deepEqual(JSON.parse(j.text), { success: true, result: { ticket: 'AR-0123456789ABC', status_url: '/abuse/status/AR-0123456789ABC' } });
  });

  it('a refused report re-renders the form with the message next to the field, values kept', async () => {
    const r = await call(ABUSE_PATH, { ip: '198.51.100.2', type: 'application/x-www-form-urlencoded', body: form({ host: 'shop.test', category: 'phishing', reporter_name: 'Ana <b>' }) });
    assert.equal(r.status, 400);
    assert.match(r.text, /role="alert"/);
    assert.match(r.text, /<a href="#description">description: required/);
    assert.match(r.text, /id="description" name="description" required maxlength="5000" aria-invalid="true" aria-describedby="description-error"/);
    assert.match(r.text, /value="Ana &#60;b&#62;"/);
    assert.match(r.text, /<option value="phishing" selected>/);
    const j = await call(ABUSE_PATH, { ip: '198.51.100.2', type: 'application/json', body: '{"host":"shop.test"}' });
    assert.equal(j.status, 400);
    assert.deepEqual(JSON.parse(j.text).errors, [{ field: 'description', message: 'description: required (what is wrong, and where)' }]);
    assert.equal((await call(ABUSE_PATH, { ip: '198.51.100.2', type: 'text/plain', body: 'x' })).status, 415);
    assert.equal((await call(ABUSE_PATH, { ip: '198.51.100.2', type: 'application/json', body: '[1]' })).status, 400);
  });

  it('limits reports per IP (5 per 10 minutes; IPv6 per /64) → 429 with Retry-After', async () => {
    const post = (ip: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> =>
      call(ABUSE_PATH, { ip, type: 'application/x-www-form-urlencoded', body: form({ host: 'shop.test', category: 'other', description: 'd' }) });
    for (let i = 0; i < 5; i++) assert.equal((await post('203.0.113.9')).status, 201);
    const r = await post('203.0.113.9');
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '600');
    assert.match(r.text, /Too many reports/);
    assert.equal((await post('203.0.113.10')).status, 201, 'another address is not affected');
    for (let i = 0; i < 5; i++) assert.equal((await post(`2001:db8:1:2::${i + 1}`)).status, 201);
    assert.equal((await post('2001:db8:1:2:ffff::1')).status, 429, 'same /64');
    assert.equal(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:2:abcd::9'));
    assert.notEqual(clientKey('2001:db8:1:3::1'), clientKey('2001:db8:1:2::1'));
  });

  it('refuses bodies over 32 KiB with 413', async () => {
    const r = await call(ABUSE_PATH, { ip: '198.51.100.3', type: 'application/x-www-form-urlencoded', body: form({ host: 'shop.test', category: 'other', description: 'x'.repeat(33 * 1024) }) });
    assert.equal(r.status, 413);
  });

  it('a failing sink answers 503, never the details', async () => {
    const r = await call(ABUSE_PATH, { ip: '198.51.100.4', type: 'application/x-www-form-urlencoded', body: form({ host: 'shop.test', category: 'boom', description: 'd' }) });
    assert.equal(r.status, 503);
    assert.doesNotMatch(r.text, /store down/);
    assert.ok(errors.some((e) => (e as Error).message === 'store down'));
  });

  it('status: the ticket page shows status and dates; unknown 404; ?ticket= redirects; other methods 405', async () => {
    const r = await call(`${ABUSE_PATH}/status/AR-0123456789ABC`);
    assert.equal(r.status, 200);
    assert.match(r.text, /Forwarded to the site&#39;s owner/);
    assert.match(r.text, /<time datetime="2026-11-20T12:00:00.000Z">/);
    const j = await call(`${ABUSE_PATH}/status/AR-0123456789ABC`, { accept: 'application/json' });
    assert.equal(JSON.parse(j.text).result.status, 'forwarded');
    assert.equal((await call(`${ABUSE_PATH}/status/AR-ZZZZZZZZZZZZZ`)).status, 404);
    const red = await call(`${ABUSE_PATH}/status?ticket=ar-0123456789abc`);
    assert.equal(red.status, 303);
    assert.equal(red.headers['location'], `${ABUSE_PATH}/status/AR-0123456789ABC`);
    assert.equal((await call(`${ABUSE_PATH}/status/x`, { method: 'PUT', body: '' })).status, 405);
    assert.equal((await call(ABUSE_PATH, { method: 'PUT', body: '' })).status, 405);
    assert.equal((await call(`${ABUSE_PATH}/nothing`)).status, 404);
  });
});

describe('abuse IPC', () => {
  it('the worker-side sink asks the primary and gets the answers; errors and silence reject', async () => {
    let primary: AbuseSink | undefined = sink;
    const toPrimary: AbuseFromWorker[] = [];
    // a loop through structuredClone, as the cluster channel does
    const client: AbuseIpcClient = new AbuseIpcClient((m) => {
      toPrimary.push(m);
      answerAbuseIpc(structuredClone(m), primary, (r: AbuseToWorker) => setImmediate(() => client.onMessage(structuredClone(r))));
    });
    assert.deepEqual(await client.submit({ host: 'shop.test', category: 'other', description: 'd' }), { ok: true, ticket: 'AR-0123456789ABC' });
    assert.equal((await client.status('AR-0123456789ABC'))?.status, 'forwarded');
    assert.equal(await client.status('AR-NOPE'), undefined);
    await assert.rejects(client.submit({ category: 'boom', description: 'd' }), /abuse report service: unavailable/);
    primary = undefined;
    await assert.rejects(client.status('x'), /not taken on this node/);
    assert.deepEqual(toPrimary.map((m) => m.op), ['submit', 'status', 'status', 'submit', 'status']);
    const mute = new AbuseIpcClient(() => {}, 50);
    await assert.rejects(mute.status('x'), /no answer from the primary/);
  });
});
