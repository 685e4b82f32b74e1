/**
 * Admission control with real attacking clients on loopback: per-IP connection cap, new-connection rate, global
 * cap with a reserve for known-good clients (raw sockets from 127.x source addresses), HTTP/2 rapid reset, PING
 * and SETTINGS floods (node:http2 client) answered with GOAWAY(ENHANCE_YOUR_CALM), and normal HTTP/2 unaffected.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { connect as h2Connect, constants } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

let node: TestNode;
let origin: TestOrigin;
let dir: string;
const HOST = 'adm.test';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rampart-adm-'));
  const cfg = join(dir, 'rampart.yaml');
  writeFileSync(cfg, [
    'server:', '  limits:',
    '    max_connections_per_ip: 4', '    new_connections_per_ip_per_second: 0.2', '    new_connections_per_ip_burst: 6',
    '    max_connections: 10', '    reserved_connections: 2',
    '    h2_max_concurrent_streams: 64', '    h2_max_rst_per_second: 20', '    h2_max_pings_per_second: 5', '    h2_max_settings_per_second: 5',
    '    min_body_rate: 1000', '    body_rate_grace: 1', '',
  ].join('\n'));
  node = await startTestNode({ config: cfg });
  origin = await startOrigin();
  await node.addZone(HOST, [origin.address]);
});
after(async () => { await node.stop(); await origin.close(); rmSync(dir, { recursive: true, force: true }); });

interface Probe { ok: boolean; sock: Socket; status?: number }

/** Connect from `from`, send one keep-alive request: ok with the status when answered, not ok when closed first. */
function probe(from: string): Promise<Probe> {
  return new Promise((resolve) => {
    const sock = netConnect({ host: '127.0.0.1', port: node.httpPort!, localAddress: from });
    let buf = '';
    let done = false;
    const finish = (p: Probe): void => { if (!done) { done = true; resolve(p); } };
    sock.on('connect', () => sock.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})[^]*?\r\n\r\n/.exec(buf);
      if (m) finish({ ok: true, sock, status: Number(m[1]) });
    });
    sock.on('error', () => { /* reset by the edge */ });
    sock.on('close', () => finish({ ok: false, sock }));
  });
}

async function closeAll(socks: Socket[]): Promise<void> {
  await Promise.all(socks.map((s) => new Promise<void>((r) => { if (s.destroyed && s.closed) { r(); return; } s.once('close', () => r()); s.destroy(); })));
  // let the edge see the closes before the next test counts
  await new Promise((r) => setTimeout(r, 50));
}

async function refusedCount(reason: string): Promise<number> {
  const r = await request(`http://127.0.0.1:${node.adminPort}/metrics`, { headers: { authorization: `Bearer ${node.adminToken}` } });
  const text = await r.body.text();
  const m = new RegExp(`rampart_admission_refused_total\\{reason="${reason}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
}

test('global cap with a reserve: unknown clients stop short of the cap, known-good clients use the reserve', async () => {
  const socks: Socket[] = [];
  try {
    const good = await probe('127.0.3.1');
    socks.push(good.sock);
    assert.equal(good.status, 200, 'a clean request makes 127.0.3.1 known-good');
    await new Promise((r) => setImmediate(r));
    for (let i = 1; i <= 7; i++) {
      const p = await probe(`127.0.2.${i}`);
      socks.push(p.sock);
      assert.equal(p.ok, true, `unknown client ${i} admitted`);
    }
    // 8 open of 10, 2 reserved: an unknown client is refused
    const before = await refusedCount('reserve');
    const unknown = await probe('127.0.2.8');
    socks.push(unknown.sock);
    assert.equal(unknown.ok, false, 'unknown client refused at the reserve');
    assert.equal(await refusedCount('reserve'), before + 1);
    for (let i = 0; i < 2; i++) {
      const p = await probe('127.0.3.1');
      socks.push(p.sock);
      assert.equal(p.ok, true, 'known-good client admitted into the reserve');
    }
    const full = await probe('127.0.3.1');
    socks.push(full.sock);
    assert.equal(full.ok, false, 'nobody past the global cap');
    assert.ok(await refusedCount('global') >= 1);
  } finally {
    await closeAll(socks);
  }
});

test('per-IP connection cap: the extra connection is closed, another IP still connects', async () => {
  const socks: Socket[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      const p = await probe('127.0.1.1');
      socks.push(p.sock);
      assert.equal(p.ok, true, `connection ${i + 1} admitted`);
    }
    const extra = await probe('127.0.1.1');
    socks.push(extra.sock);
    assert.equal(extra.ok, false, 'the 5th connection from 127.0.1.1 is closed');
    const other = await probe('127.0.1.2');
    socks.push(other.sock);
    assert.equal(other.ok, true, 'another IP is unaffected');
    assert.ok(await refusedCount('per_ip') >= 1);
    // a slot freed is a slot usable again
    await closeAll([socks[0]!]);
    const again = await probe('127.0.1.1');
    socks.push(again.sock);
    assert.equal(again.ok, true);
  } finally {
    await closeAll(socks);
  }
});

test('new-connection rate per IP: a burst is allowed, the rest refused; other IPs unaffected', async () => {
  const results: boolean[] = [];
  for (let i = 0; i < 8; i++) {
    const p = await probe('127.0.4.1');
    results.push(p.ok);
    await closeAll([p.sock]);
  }
  // burst 6 at 0.2/s: the test runs well under the 5 s a new token takes
  assert.deepEqual(results, [true, true, true, true, true, true, false, false]);
  assert.ok(await refusedCount('rate') >= 2);
  const other = await probe('127.0.4.2');
  assert.equal(other.ok, true);
  await closeAll([other.sock]);
});

function h2(from: string): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const s = h2Connect(`https://127.0.0.1:${node.httpsPort!}`, {
      createConnection: () => tlsConnect({ socket: netConnect({ host: '127.0.0.1', port: node.httpsPort!, localAddress: from }), servername: HOST, ALPNProtocols: ['h2'], rejectUnauthorized: false }),
    });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolve with the GOAWAY codes the session received once it closes. */
function goaways(s: ClientHttp2Session): { codes: number[]; closed: Promise<void> } {
  const codes: number[] = [];
  s.on('goaway', (code: number) => codes.push(code));
  s.on('error', () => { /* the edge ends the session */ });
  return { codes, closed: new Promise((r) => s.once('close', () => r())) };
}

function h2get(s: ClientHttp2Session): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = s.request({ ':path': '/', ':authority': HOST });
    let status = 0;
    r.on('response', (h) => { status = Number(h[':status']); });
    r.on('error', reject);
    r.resume();
    r.on('end', () => resolve(status));
  });
}

test('HTTP/2 rapid reset: streams cancelled at once get GOAWAY(ENHANCE_YOUR_CALM); normal HTTP/2 traffic unaffected', async () => {
  const normal = await h2('127.0.5.2');
  const attacker = await h2('127.0.5.1');
  const g = goaways(attacker);
  const before = await refusedCount('h2_rapid_reset');
  for (let i = 0; i < 60 && !attacker.closed && !attacker.destroyed; i++) {
    const st = attacker.request({ ':path': '/?r=' + i, ':authority': HOST });
    st.on('error', () => {});
    st.close(constants.NGHTTP2_CANCEL);
    if (i % 10 === 9) await new Promise((r) => setImmediate(r));
  }
  await g.closed;
  assert.ok(g.codes.includes(constants.NGHTTP2_ENHANCE_YOUR_CALM), `GOAWAY codes: ${g.codes.join(',')}`);
  assert.equal(await refusedCount('h2_rapid_reset'), before + 1);
  // a well-behaved session, many requests in a row, is untouched
  for (let i = 0; i < 30; i++) assert.equal(await h2get(normal), 200);
  assert.equal(normal.closed, false);
  normal.close();
});

test('HTTP/2 PING flood gets GOAWAY(ENHANCE_YOUR_CALM)', async () => {
  const s = await h2('127.0.5.3');
  const g = goaways(s);
  let sent = 0;
  for (let i = 0; i < 30 && !s.closed && !s.destroyed; i++) {
    const ok = await Promise.race([g.closed.then(() => false), new Promise<boolean>((r) => { try { s.ping((err) => r(err === null)); } catch { r(false); } })]);
    if (!ok) break;
    sent++;
  }
  await g.closed;
  assert.ok(sent >= 5 && sent < 30, `pings acknowledged before GOAWAY: ${sent}`);
  assert.ok(g.codes.includes(constants.NGHTTP2_ENHANCE_YOUR_CALM), `GOAWAY codes: ${g.codes.join(',')}`);
  assert.ok(await refusedCount('h2_ping_flood') >= 1);
});

test('HTTP/2 SETTINGS flood gets GOAWAY(ENHANCE_YOUR_CALM)', async () => {
  const s = await h2('127.0.5.4');
  const g = goaways(s);
  for (let i = 0; i < 30 && !s.closed && !s.destroyed; i++) {
    const ok = await Promise.race([g.closed.then(() => false), new Promise<boolean>((r) => { try { s.settings({ initialWindowSize: 65535 + i }, (err) => r(err === null)); } catch { r(false); } })]);
    if (!ok) break;
  }
  if (!s.closed) s.close();
  await g.closed;
  assert.ok(g.codes.includes(constants.NGHTTP2_ENHANCE_YOUR_CALM), `GOAWAY codes: ${g.codes.join(',')}`);
  assert.ok(await refusedCount('h2_settings_flood') >= 1);
});

// --- raw HTTP/2 frames over TLS, for what node:http2's client will not send ---

function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type; h[4] = flags;
  h.writeUInt32BE(stream, 5);
  return Buffer.concat([h, payload]);
}
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** HPACK: :method (GET or POST), :scheme https, :path /, :authority HOST. */
function requestBlock(post: boolean): Buffer {
  return Buffer.concat([Buffer.from([post ? 0x83 : 0x82, 0x87, 0x84, 0x01, HOST.length]), Buffer.from(HOST, 'latin1')]);
}
/** HPACK literal without indexing, new name. */
function literal(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0x00, name.length]), Buffer.from(name), Buffer.from([0x7f]), encodeInt(value.length - 127), Buffer.from(value)]);
}
function encodeInt(n: number): Buffer {
  const out: number[] = [];
  while (n >= 128) { out.push((n & 0x7f) | 0x80); n >>>= 7; }
  out.push(n);
  return Buffer.from(out);
}

interface RawH2Result { frameTypes: number[]; goawayCodes: number[]; closed: boolean; written: number; closedByEdge: boolean }

/** Send the preface and `frames` (as fast as the socket takes them) from `from`; collect what comes back until close. */
function rawH2(from: string, frames: Buffer[]): Promise<RawH2Result> {
  return new Promise((resolve) => {
    const sock = tlsConnect({ socket: netConnect({ host: '127.0.0.1', port: node.httpsPort!, localAddress: from }), servername: HOST, ALPNProtocols: ['h2'], rejectUnauthorized: false });
    let buf = Buffer.alloc(0);
    const res: RawH2Result = { frameTypes: [], goawayCodes: [], closed: false, written: 0, closedByEdge: true };
    sock.on('secureConnect', async () => {
      sock.write(Buffer.concat([PREFACE, frame(4, 0, 0)]));
      for (const f of frames) {
        if (sock.destroyed) break;
        res.written++;
        if (!sock.write(f)) await new Promise((r) => { sock.once('drain', r); sock.once('close', r); });
      }
      // nothing more to send: give the edge a bound to answer, then hang up ourselves
      setTimeout(() => { res.closedByEdge = false; sock.destroy(); }, 3000).unref();
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 9) {
        const len = buf.readUIntBE(0, 3);
        if (buf.length < 9 + len) break;
        const type = buf[3]!;
        res.frameTypes.push(type);
        if (type === 7) res.goawayCodes.push(buf.readUInt32BE(13));
        // the response ended (END_STREAM on HEADERS or DATA): nothing more to wait for
        if ((type === 0 || type === 1) && (buf[4]! & 0x1) !== 0) { res.closedByEdge = false; sock.destroy(); }
        buf = buf.subarray(9 + len);
      }
    });
    sock.on('error', () => { /* reset by the edge */ });
    sock.on('close', () => { res.closed = true; resolve(res); });
  });
}

test('CONTINUATION flood: an endless header block is cut off, not buffered', async () => {
  const frames = [frame(1, 0x1 /* END_STREAM, no END_HEADERS */, 1, requestBlock(false))];
  for (let i = 0; i < 2000; i++) frames.push(frame(9, 0, 1, literal('x-flood-' + (i % 10), 'a'.repeat(1000))));
  const r = await rawH2('127.0.6.1', frames);
  // nghttp2/Node refuse a header list past maxHeaderListSize (max_header_bytes, 32 KiB here) and end the session
  assert.ok(r.closedByEdge, `the edge closed the connection: ${JSON.stringify(r)}`);
  assert.ok(r.written < frames.length, `the edge hung up before the 2 MB header block was sent: ${JSON.stringify(r)}`);
  assert.ok(!r.frameTypes.includes(1), 'the flooded request was never answered (never reached the origin)');
});

test('empty DATA frame flood: the session is closed by Node\'s invalid-frame limit', async () => {
  const frames = [frame(1, 0x4 /* END_HEADERS, no END_STREAM */, 1, requestBlock(true))];
  // 500: past h2_max_invalid_frames (100), under Node's default (1000), so this checks the knob is applied
  for (let i = 0; i < 500; i++) frames.push(frame(0, 0, 1));
  const r = await rawH2('127.0.6.2', frames);
  assert.ok(r.closedByEdge, `the edge closed the connection: ${JSON.stringify(r)}`);
});

test('control: a short empty DATA run and a normal CONTINUATION block are served', async () => {
  const cont = [frame(1, 0x1, 1, requestBlock(false)), frame(9, 0, 1, literal('x-a', 'a'.repeat(1000))), frame(9, 0x4, 1, literal('x-b', 'b'.repeat(1000)))];
  const r = await rawH2('127.0.6.3', cont);
  assert.ok(r.frameTypes.includes(1), `answered: ${JSON.stringify(r)}`);
  const empty = [frame(1, 0x4, 1, requestBlock(true)), frame(0, 0, 1), frame(0, 0, 1), frame(0, 0x1, 1)];
  const r2 = await rawH2('127.0.6.4', empty);
  assert.ok(r2.frameTypes.includes(1), `answered: ${JSON.stringify(r2)}`);
});

test('slow POST: a body trickled under min_body_rate is cut off after the grace period; a normal POST passes', async () => {
  const before = await refusedCount('slow_body');
  const closed = await new Promise<{ byEdge: boolean; sent: number }>((resolve) => {
    const sock = netConnect({ host: '127.0.0.1', port: node.httpPort!, localAddress: '127.0.8.1' });
    let sent = 0;
    let t: NodeJS.Timeout | undefined;
    // bound: 10 s of trickle (the edge should cut it after about 1-2 s)
    const limit = setTimeout(() => { clearInterval(t); sock.destroy(); resolve({ byEdge: false, sent }); }, 10_000);
    sock.on('connect', () => {
      sock.write(`POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 100000\r\n\r\n`);
      t = setInterval(() => { sock.write('x'.repeat(10)); sent += 10; }, 100);
    });
    sock.on('error', () => { /* reset by the edge */ });
    sock.on('close', () => { clearInterval(t); clearTimeout(limit); resolve({ byEdge: true, sent }); });
  });
  assert.equal(closed.byEdge, true, 'the edge closed the slow upload');
  assert.ok(closed.sent < 100_000);
  assert.equal(await refusedCount('slow_body'), before + 1);
  const ok = await request(`http://127.0.0.1:${node.httpPort!}/upload`, { method: 'POST', headers: { host: HOST }, body: 'y'.repeat(200_000) });
  await ok.body.text();
  assert.equal(ok.statusCode, 200);
});

test('HTTP/2 abuse raises the client\'s shared threat score: at security level low it is challenged, others are not', async () => {
  const { Agent } = await import('undici');
  const zones = await node.api<Array<{ id: string }>>('GET', `/client/v4/zones?name=${HOST}`);
  const zid = zones.json.result[0]!.id;
  await node.api('PATCH', `/client/v4/zones/${zid}/settings`, { security_level: 'low' });
  const from = async (ip: string): Promise<number> => {
    const agent = new Agent({ localAddress: ip });
    try {
      const r = await request(`http://127.0.0.1:${node.httpPort}/`, { headers: { host: HOST, accept: 'text/html', 'user-agent': 'Mozilla/5.0' }, dispatcher: agent });
      await r.body.dump();
      return r.statusCode;
    } finally { await agent.close(); }
  };
  // the rapid-reset attacker above (127.0.5.1) was reported as h2_abuse; the score reaches the edge within ~1.5 s
  let status = 0;
  for (let i = 0; i < 30 && status !== 403; i++) { status = await from('127.0.5.1'); if (status !== 403) await new Promise((r) => setTimeout(r, 200)); }
  assert.equal(status, 403, 'the abusive client is challenged');
  assert.equal(await from('127.0.5.9'), 200, 'another client is not');
  await node.api('PATCH', `/client/v4/zones/${zid}/settings`, { security_level: 'medium' });
});
