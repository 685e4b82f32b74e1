/**
 * WebSocket (HTTP/1.1 Upgrade) pass-through: the handshake reaches the origin with the forwarding headers, the
 * origin's 101 comes back, and bytes flow both ways through the proxy; unknown hosts get a 404 and a dead origin a
 * 502; an upgrade the origin refuses must not leave a raw pipe to the origin behind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';
import { parseResponses, rawConnect, rawExchange } from '../helpers/raw.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const acceptFor = (key: string): string => createHash('sha1').update(key + GUID).digest('base64');

interface WsOrigin {
  readonly server: Server;
  readonly address: string;
  /** Upgrade requests received (url, headers, bytes that came with the head). */
  readonly upgrades: Array<{ url: string; headers: IncomingMessage['headers']; head: Buffer }>;
  /** Ordinary (non-upgrade) requests received. */
  readonly plain: string[];
  /** Origin-side sockets of accepted upgrades. */
  readonly sockets: Socket[];
  close(): Promise<void>;
}

/** An origin that completes WebSocket handshakes by hand and then echoes every byte it receives. */
async function startWsOrigin(): Promise<WsOrigin> {
  const upgrades: WsOrigin['upgrades'] = [];
  const plain: string[] = [];
  const sockets: Socket[] = [];
  const server = createServer((req, res) => { plain.push(req.url ?? ''); res.writeHead(426, { 'content-type': 'text/plain' }); res.end('upgrade required'); });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    upgrades.push({ url: req.url ?? '', headers: req.headers, head: Buffer.from(head) });
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string' || String(req.headers['upgrade']).toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    sockets.push(socket);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\nX-Origin: ws\r\n\r\n`);
    if (head.length) socket.write(head);
    socket.on('data', (d: Buffer) => socket.write(d));
    socket.on('end', () => socket.end());
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    server, address: `127.0.0.1:${port}`, upgrades, plain, sockets,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); server.closeAllConnections(); })
  };
}

let node: TestNode;
let ws: WsOrigin;
let plainOrigin: TestOrigin;

before(async () => {
  node = await startTestNode();
  ws = await startWsOrigin();
  plainOrigin = await startOrigin();
  await node.addZone('chat.test', [ws.address]);
  await node.addZone('plain.test', [plainOrigin.address]);
});
// (node.stop() currently waits its full 10 s drain timeout here: see the connection-leak bug below)
after(async () => { await node.stop(); await ws.close(); await plainOrigin.close(); });

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const upgradeReq = (host: string, path = '/ws', extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
const headEnd = (b: Buffer): number => b.indexOf('\r\n\r\n');

test('a WebSocket upgrade gets the origin\'s 101 and bytes flow both ways through the proxy', async () => {
  const c = await rawConnect(node.httpPort!);
  try {
    c.write(upgradeReq('chat.test', '/ws?room=1', 'X-Forwarded-For: 10.1.1.1\r\nOrigin: http://chat.test\r\n'));
    const h = await c.until((b) => headEnd(b) >= 0);
    assert.ok(h.ok, 'a response head');
    const { responses } = parseResponses(h.buf);
    const res = responses[0];
    assert.ok(res);
    assert.equal(res.status, 101);
    assert.equal(res.headers['sec-websocket-accept'], acceptFor(KEY));
    assert.equal(res.headers['upgrade']?.toLowerCase(), 'websocket');
    assert.equal(res.headers['x-origin'], 'ws');
    const seen = ws.upgrades.at(-1)!;
    assert.equal(seen.url, '/ws?room=1');
    assert.equal(seen.headers['host'], 'chat.test');
    assert.equal(seen.headers['sec-websocket-key'], KEY);
    assert.equal(seen.headers['sec-websocket-version'], '13');
    assert.equal(seen.headers['origin'], 'http://chat.test');
    assert.equal(String(seen.headers['upgrade']).toLowerCase(), 'websocket');
    assert.match(String(seen.headers['connection']), /upgrade/i);
    assert.equal(seen.headers['x-forwarded-for'], '10.1.1.1, 127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['rampart-connecting-ip'], '127.0.0.1');
    assert.match(String(seen.headers['rampart-ray']), /^[0-9a-f]{16}$/);

    // bytes after the handshake: a masked text frame, then 1 MiB of binary, echoed back exactly
    c.clear();
    const frame = Buffer.from([0x81, 0x85, 1, 2, 3, 4, 'h'.charCodeAt(0) ^ 1, 'e'.charCodeAt(0) ^ 2, 'l'.charCodeAt(0) ^ 3, 'l'.charCodeAt(0) ^ 4, 'o'.charCodeAt(0) ^ 1]);
    c.write(frame);
    const e1 = await c.until((b) => b.length >= frame.length);
    assert.deepEqual(e1.buf.subarray(0, frame.length), frame);
    c.clear();
    const big = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    c.write(big);
    const e2 = await c.until((b) => b.length >= big.length, 10_000);
    assert.equal(e2.buf.length, big.length);
    assert.ok(e2.buf.equals(big), 'echoed bytes identical');
  } finally { c.close(); }
});

test('bytes sent in the same packet as the upgrade request reach the origin', async () => {
  const c = await rawConnect(node.httpPort!);
  try {
    c.write(upgradeReq('chat.test', '/ws-early') + 'EARLY-BYTES');
    const r = await c.until((b) => headEnd(b) >= 0 && b.includes('EARLY-BYTES'));
    assert.ok(r.ok, `got ${JSON.stringify(r.buf.toString('latin1'))}`);
    assert.equal(parseResponses(r.buf).responses[0]?.status, 101);
  } finally { c.close(); }
});

test('closing the client side closes the origin side, and the other way round', async () => {
  const c = await rawConnect(node.httpPort!);
  c.write(upgradeReq('chat.test', '/ws-close-1'));
  assert.ok((await c.until((b) => headEnd(b) >= 0)).ok);
  const originSock = ws.sockets.at(-1)!;
  const closed = new Promise<void>((r) => { if (originSock.destroyed) r(); else originSock.once('close', () => r()); });
  c.close();
  await closed;

  const c2 = await rawConnect(node.httpPort!);
  c2.write(upgradeReq('chat.test', '/ws-close-2'));
  assert.ok((await c2.until((b) => headEnd(b) >= 0)).ok);
  ws.sockets.at(-1)!.end();
  const r = await c2.until(() => false);
  assert.equal(r.closed, true, 'client connection closed after the origin closed');
  c2.close();
});

test('an upgrade for an unknown host gets a 404 and reaches no origin', async () => {
  const before = ws.upgrades.length;
  const r = await rawExchange(node.httpPort!, upgradeReq('nowhere.test', '/ws-unknown'), { responses: 1 });
  assert.equal(r.timedOut, false);
  assert.equal(r.responses[0]?.status, 404);
  assert.match(r.responses[0]!.headers['rampart-ray'] ?? '', /^[0-9a-f]{16}$/);
  assert.match(r.responses[0]!.body.toString('utf8'), /edge\.unknown_host/);
  assert.equal(ws.upgrades.length, before);
});

test('an upgrade without a Host gets a 400 or 404 and reaches no origin', async () => {
  const before = ws.upgrades.length;
  const r = await rawExchange(node.httpPort!, `GET /ws-nohost HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`, { responses: 1 });
  assert.ok([400, 404].includes(r.responses[0]?.status ?? 0));
  assert.equal(ws.upgrades.length, before);
});

test('an upgrade when the origin is down gets a 502 page', async () => {
  const dead = await startOrigin();
  const addr = dead.address;
  await dead.close();
  await node.addZone('down.test', [addr]);
  const r = await rawExchange(node.httpPort!, upgradeReq('down.test', '/ws-down', 'Accept: application/json\r\n'), { responses: 1 });
  assert.equal(r.timedOut, false);
  assert.equal(r.responses[0]?.status, 502);
  const body = JSON.parse(r.responses[0]!.body.toString('utf8')) as { errors: Array<{ error: string }>; ray_id: string };
  assert.equal(body.errors[0]?.error, 'origin.refused');
  assert.equal(body.ray_id, r.responses[0]!.headers['rampart-ray']);
});

test('after an error answer to an upgrade (404) the edge closes the connection', {

}, async () => {
  const r = await rawExchange(node.httpPort!, upgradeReq('nowhere.test', '/ws-unknown-close'), { limitMs: 1500 });
  assert.equal(r.responses[0]?.status, 404);
  assert.equal(r.timedOut, false, 'the connection is still open 1.5 s after the answer');
  assert.equal(r.closed, true);
});

/** The active-connections gauge of the HTTP listener, from /metrics. */
async function activeHttpConnections(): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${node.adminPort}/metrics`, { headers: { authorization: `Bearer ${node.adminToken}` } });
  const m = /rampart_active_connections\{listener="http"\} (\d+)/.exec(await r.text());
  return Number(m?.[1] ?? 0); // no series yet: no connection so far
}

test('an upgrade answered by the edge (404) releases its connection once the client has gone', {

}, async () => {
  const base = await activeHttpConnections();
  for (let i = 0; i < 3; i++) {
    const r = await rawExchange(node.httpPort!, upgradeReq('nowhere.test', `/ws-leak-${i}`), { responses: 1 });
    assert.equal(r.responses[0]?.status, 404);
  }
  // every client socket is destroyed by now; wait (bounded) for the edge to see them go
  let now = await activeHttpConnections();
  for (let i = 0; i < 15 && now > base; i++) { await new Promise((r) => setTimeout(r, 100)); now = await activeHttpConnections(); }
  assert.equal(now, base, `${now - base} connection(s) still counted as active`);
});

test('a zone with no origin answers an upgrade with 503', async () => {
  await node.addZone('empty.test', []);
  const r = await rawExchange(node.httpPort!, upgradeReq('empty.test', '/ws-empty'), { responses: 1 });
  assert.equal(r.responses[0]?.status, 503);
});

test('WebSocket over TLS (HTTP/1.1 on the HTTPS listener) passes through with X-Forwarded-Proto: https', async () => {
  const s = tlsConnect({ host: '127.0.0.1', port: node.httpsPort!, servername: 'chat.test', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
  try {
    await new Promise<void>((r, j) => { s.once('secureConnect', () => r()); s.once('error', j); });
    let buf = Buffer.alloc(0);
    const until = (pred: (b: Buffer) => boolean): Promise<Buffer> => new Promise((r) => {
      const check = (): void => { if (pred(buf)) { s.removeListener('data', on); r(buf); } };
      const on = (d: Buffer): void => { buf = Buffer.concat([buf, d]); check(); };
      s.on('data', on);
      s.once('close', () => r(buf));
      check();
    });
    s.write(upgradeReq('chat.test', '/wss'));
    const h = await until((b) => headEnd(b) >= 0);
    assert.equal(parseResponses(h).responses[0]?.status, 101);
    assert.equal(ws.upgrades.at(-1)?.url, '/wss');
    assert.equal(ws.upgrades.at(-1)?.headers['x-forwarded-proto'], 'https');
    buf = Buffer.alloc(0);
    s.write('ping-over-tls');
    const e = await until((b) => b.length >= 13);
    assert.equal(e.toString('latin1'), 'ping-over-tls');
  } finally { s.destroy(); }
});

test('an upgrade the origin refuses leaves no raw pipe: the next bytes are not delivered to the origin unparsed', {

}, async () => {
  const c = await rawConnect(node.httpPort!);
  try {
    c.write(`GET /ws-refused HTTP/1.1\r\nHost: plain.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const h = await c.until((b) => parseResponses(b).responses.length >= 1);
    const first = parseResponses(h.buf).responses[0];
    assert.ok(first);
    assert.notEqual(first.status, 101);
    c.clear();
    c.write('GET /ws-bypass HTTP/1.1\r\nHost: nowhere.test\r\n\r\n');
    const r = await c.until((b) => parseResponses(b).responses.length >= 1);
    const second = parseResponses(r.buf).responses[0];
    // through the edge this is an unknown host (404) or the connection is closed; never the origin's answer
    if (second !== undefined) assert.equal(second.status, 404, `got ${second.status} from ${second.headers['rampart-ray'] ? 'the edge' : 'the origin'}`);
    assert.equal(plainOrigin.hits('/ws-bypass'), 0, 'the origin received a request the edge never parsed');
  } finally { c.close(); }
});

test('an upgrade request over the URI limit is refused with 414 and not forwarded', {

}, async () => {
  const before = ws.upgrades.length;
  const r = await rawExchange(node.httpPort!, upgradeReq('chat.test', '/ws-long?' + 'a'.repeat(9000)), { responses: 1 });
  assert.equal(r.responses[0]?.status, 414);
  assert.equal(ws.upgrades.length, before);
});

test('an upgrade request with more header fields than the limit is refused with 431 and not forwarded', {

}, async () => {
  const before = ws.upgrades.length;
  const many = Array.from({ length: 150 }, (_, i) => `X-H${i}: ${i}\r\n`).join('');
  const r = await rawExchange(node.httpPort!, upgradeReq('chat.test', '/ws-many', many), { responses: 1 });
  assert.equal(r.responses[0]?.status, 431);
  assert.equal(ws.upgrades.length, before);
});

test('a non-WebSocket upgrade (h2c) is not tunnelled to the origin', {

}, async () => {
  const before = ws.upgrades.length;
  const r = await rawExchange(node.httpPort!,
    'GET /h2c HTTP/1.1\r\nHost: chat.test\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nConnection: Upgrade, HTTP2-Settings\r\n\r\n', { responses: 1 });
  assert.equal(r.timedOut, false);
  assert.equal(ws.upgrades.slice(before).filter((u) => String(u.headers['upgrade']).toLowerCase() === 'h2c').length, 0, 'the origin was offered h2c');
});
