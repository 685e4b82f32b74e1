/**
 * Hardened HTTP/1.1 parsing on the proxy's plain listener, with raw sockets: every malformed or ambiguous request
 * is refused (400, or 431/414/501 where that is the precise answer), the connection is closed after the refusal,
 * and the origin never sees any part of it. Valid framing (chunked POST, keep-alive pipelining) still passes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';
import { rawExchange } from '../helpers/raw.ts';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';

let node: TestNode;
let origin: TestOrigin;
/** Every request head the origin received (recorded at the 'request' event, before any body). */
const heads: string[] = [];

before(async () => {
  node = await startTestNode();
  origin = await startOrigin();
  origin.server.on('request', (req: { url?: string }) => { heads.push(req.url ?? ''); });
  await node.addZone('shop.test', [origin.address]);
});
after(async () => { await node.stop(); await origin.close(); });

const H = 'Host: shop.test\r\n';
/** A path is "bad" when the origin must never see it. */
const isBad = (u: string): boolean => u.startsWith('/smug') || u.includes('smuggled');

interface BadCase {
  readonly name: string;
  readonly bytes: string | Buffer;
  /** Acceptable answers. */
  readonly status: readonly number[];
  /** Refusals answered after a complete parse (limits) may keep the connection: framing is intact. */
  readonly keepAliveOk?: boolean;
  readonly todo?: string;
}

const big = (n: number): string => 'a'.repeat(n);

const BAD: BadCase[] = [
  { name: 'Content-Length and Transfer-Encoding together (CL first)', status: [400],
    bytes: `POST /smug/cl-te HTTP/1.1\r\n${H}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX` },
  { name: 'Transfer-Encoding and Content-Length together (TE first)', status: [400],
    bytes: `POST /smug/te-cl HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n` },
  { name: 'duplicate Content-Length, same value', status: [400],
    bytes: `POST /smug/dup-cl-same HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello` },
  { name: 'duplicate Content-Length, different values', status: [400],
    bytes: `POST /smug/dup-cl-diff HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!` },
  { name: 'Content-Length as a list ("5, 5")', status: [400],
    bytes: `POST /smug/cl-list HTTP/1.1\r\n${H}Content-Length: 5, 5\r\n\r\nhello` },
  { name: 'Content-Length with a sign ("+5")', status: [400],
    bytes: `POST /smug/cl-plus HTTP/1.1\r\n${H}Content-Length: +5\r\n\r\nhello` },
  { name: 'Content-Length negative', status: [400],
    bytes: `POST /smug/cl-neg HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\nhello` },
  { name: 'Content-Length not a number ("5x")', status: [400],
    bytes: `POST /smug/cl-alpha HTTP/1.1\r\n${H}Content-Length: 5x\r\n\r\nhello` },
  { name: 'Content-Length overflowing 64 bits', status: [400],
    bytes: `POST /smug/cl-overflow HTTP/1.1\r\n${H}Content-Length: 99999999999999999999999\r\n\r\nhello` },
  { name: 'bad chunk size "zz"', status: [400],
    bytes: `POST /smug/chunk-zz HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n` },
  { name: 'bad chunk size after a valid chunk', status: [400],
    bytes: `POST /smug/chunk-zz-late HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n` },
  { name: 'chunk size overflow (more than 64 bits of hex)', status: [400],
    bytes: `POST /smug/chunk-overflow HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nhello\r\n0\r\n\r\n` },
  { name: 'negative chunk size', status: [400],
    bytes: `POST /smug/chunk-neg HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n` },
  { name: 'chunk data not followed by CRLF', status: [400],
    bytes: `POST /smug/chunk-noterm HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n` },
  { name: 'Transfer-Encoding: xchunked', status: [400, 501],
    bytes: `POST /smug/te-xchunked HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n` },
  { name: 'Transfer-Encoding: chunked, identity (chunked not last)', status: [400, 501],
    bytes: `POST /smug/te-chunked-identity HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n` },
  { name: 'Transfer-Encoding: identity', status: [400, 501],
    bytes: `POST /smug/te-identity HTTP/1.1\r\n${H}Transfer-Encoding: identity\r\n\r\nhello` },
  { name: 'Transfer-Encoding twice, second not chunked', status: [400, 501],
    bytes: `POST /smug/te-twice HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n` },
  { name: 'Transfer-Encoding with obsolete line folding', status: [400],
    bytes: `POST /smug/te-fold HTTP/1.1\r\n${H}Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n` },
  { name: 'obsolete line folding in an ordinary header', status: [400],
    bytes: `GET /smug/fold HTTP/1.1\r\n${H}X-Folded: a\r\n b\r\n\r\n` },
  { name: 'obsolete line folding with a tab', status: [400],
    bytes: `GET /smug/fold-tab HTTP/1.1\r\n${H}X-Folded: a\r\n\tb\r\n\r\n` },
  { name: 'space before the colon', status: [400],
    bytes: `GET /smug/space-colon HTTP/1.1\r\n${H}X-Foo : bar\r\n\r\n` },
  { name: 'space before the colon of Transfer-Encoding', status: [400],
    bytes: `POST /smug/space-colon-te HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n` },
  { name: 'control byte in a header name (X\\x01A)', status: [400],
    bytes: `GET /smug/name-ctl HTTP/1.1\r\n${H}X\x01A: b\r\n\r\n` },
  { name: 'NUL in a header value', status: [400],
    bytes: `GET /smug/value-nul HTTP/1.1\r\n${H}X-A: a\x00b\r\n\r\n` },
  { name: 'bare CR in a header value', status: [400],
    bytes: `GET /smug/value-cr HTTP/1.1\r\n${H}X-A: a\rb\r\n\r\n` },
  { name: 'empty header name', status: [400],
    bytes: `GET /smug/empty-name HTTP/1.1\r\n${H}: nothing\r\n\r\n` },
  { name: 'invalid characters in the method', status: [400, 501],
    bytes: `G(T /smug/method HTTP/1.1\r\n${H}\r\n` },
  { name: 'non-ASCII byte in the method', status: [400, 501],
    bytes: Buffer.from(`G\xc9T /smug/method8 HTTP/1.1\r\n${H}\r\n`, 'latin1') },
  { name: 'HTTP/0.9 request line', status: [400],
    bytes: 'GET /smug/h09\r\n\r\n'
 },
  { name: 'absurd HTTP version (HTTP/9.9)', status: [400, 505],
    bytes: `GET /smug/v99 HTTP/9.9\r\n${H}\r\n` },
  { name: 'absurd HTTP version (HTTP/1.12)', status: [400, 505],
    bytes: `GET /smug/v112 HTTP/1.12\r\n${H}\r\n` },
  { name: 'HTTP/2.0 version on the HTTP/1 listener', status: [400, 505],
    bytes: `GET /smug/v20 HTTP/2.0\r\n${H}\r\n`
 },
  { name: 'lower-case protocol name (http/1.1)', status: [400],
    bytes: `GET /smug/lcproto http/1.1\r\n${H}\r\n` },
  { name: 'control byte in the request target', status: [400],
    bytes: `GET /smug/ctl\x01x HTTP/1.1\r\n${H}\r\n` },
  { name: 'tab between method and target', status: [400],
    bytes: `GET\t/smug/tab HTTP/1.1\r\n${H}\r\n` },
  { name: 'header line starting with whitespace right after the request line', status: [400],
    bytes: `GET /smug/lead-ws HTTP/1.1\r\n X-A: b\r\n${H}\r\n` },
  { name: 'Content-Length in hex ("0x5")', status: [400],
    bytes: `POST /smug/cl-hex HTTP/1.1\r\n${H}Content-Length: 0x5\r\n\r\nhello` },
  { name: 'Content-Length with inner space ("5 5")', status: [400],
    bytes: `POST /smug/cl-space HTTP/1.1\r\n${H}Content-Length: 5 5\r\n\r\nhello` },
  { name: 'Transfer-Encoding: CHUNKED with a trailing comma', status: [400, 501],
    bytes: `POST /smug/te-comma HTTP/1.1\r\n${H}Transfer-Encoding: chunked,\r\n\r\n0\r\n\r\n` },
  { name: 'chunk size followed by junk before CRLF', status: [400],
    bytes: `POST /smug/chunk-junk HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n` },
  { name: 'chunk size line ended by a bare LF', status: [400],
    bytes: `POST /smug/chunk-lf HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n` },
  { name: 'NUL in the request target', status: [400],
    bytes: `GET /smug/nul\x00x HTTP/1.1\r\n${H}\r\n` },
  { name: 'DEL (0x7f) in a header name', status: [400],
    bytes: `GET /smug/del HTTP/1.1\r\n${H}X\x7fA: b\r\n\r\n` },
  { name: 'missing Host on HTTP/1.1', status: [400],
    bytes: 'GET /smug/no-host HTTP/1.1\r\nX-A: b\r\n\r\n' },
  { name: 'two Host header fields (RFC 9112 §3.2: 400)', status: [400], keepAliveOk: true,
    bytes: `GET /smug/two-hosts HTTP/1.1\r\n${H}Host: other.test\r\n\r\n`
 },
  { name: 'header section larger than the limit (431)', status: [431],
    bytes: `GET /smug/huge-head HTTP/1.1\r\n${H}X-Big: ${big(40 * 1024)}\r\n\r\n` },
  { name: 'more header fields than the count limit (431)', status: [431], keepAliveOk: true,
    bytes: `GET /smug/many-headers HTTP/1.1\r\n${H}${Array.from({ length: 150 }, (_, i) => `X-H${i}: ${i}\r\n`).join('')}\r\n` },
  { name: 'URI longer than the limit (414)', status: [414], keepAliveOk: true,
    bytes: `GET /smug/long-uri?${big(9000)} HTTP/1.1\r\n${H}\r\n` },
  { name: 'URI longer than the whole header limit (414)', status: [414],
    bytes: `GET /smug/longer-uri?${big(40 * 1024)} HTTP/1.1\r\n${H}\r\n`,
 },
];

for (const c of BAD) {
  test(`refused, closed and never forwarded: ${c.name}`, c.todo !== undefined ? { todo: c.todo } : {}, async () => {
    const before = heads.length;
    const r = await rawExchange(node.httpPort!, c.bytes, c.keepAliveOk ? { responses: 1 } : {});
    assert.equal(r.timedOut, false, `no answer and no close; got ${JSON.stringify(r.raw.toString('latin1').slice(0, 200))}`);
    assert.equal(r.responses.length, 1, `exactly one response; got ${JSON.stringify(r.raw.toString('latin1').slice(0, 300))}`);
    const res = r.responses[0]!;
    assert.ok(c.status.includes(res.status), `status ${res.status}, want ${c.status.join('/')}`);
    if (!c.keepAliveOk) assert.equal(r.closed, true, 'connection closed after the refusal');
    assert.deepEqual(heads.slice(before).filter(isBad), [], 'origin saw the refused request');
  });
}

test('limits are exact: 100 header fields and an 8192-byte target pass, one more of either is refused', async () => {
  const fields = (n: number): string => `${H}${Array.from({ length: n - 1 }, (_, i) => `X-H${i}: ${i}\r\n`).join('')}`;
  const at = await rawExchange(node.httpPort!, `GET /limit-count HTTP/1.1\r\n${fields(100)}\r\n`, { responses: 1 });
  assert.equal(at.responses[0]?.status, 200, '100 fields (Host included)');
  const over = await rawExchange(node.httpPort!, `GET /smug/limit-count HTTP/1.1\r\n${fields(101)}\r\n`, { responses: 1 });
  assert.equal(over.responses[0]?.status, 431, '101 fields');
  const target = (n: number, p: string): string => p + '?' + 'q'.repeat(n - p.length - 1);
  const okUri = target(8192, '/limit-uri');
  assert.equal(okUri.length, 8192);
  const u1 = await rawExchange(node.httpPort!, `GET ${okUri} HTTP/1.1\r\n${H}\r\n`, { responses: 1 });
  assert.equal(u1.responses[0]?.status, 200, '8192-byte target');
  const u2 = await rawExchange(node.httpPort!, `GET ${target(8193, '/smug/limit-uri')} HTTP/1.1\r\n${H}\r\n`, { responses: 1 });
  assert.equal(u2.responses[0]?.status, 414, '8193-byte target');
});

test('refusals are answered by Rampart (ray id, JSON error body), not by a bare socket close', async () => {
  const r = await rawExchange(node.httpPort!, `POST /smug/ray HTTP/1.1\r\n${H}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`);
  const res = r.responses[0];
  assert.ok(res, 'a response');
  assert.equal(res.status, 400);
  assert.match(res.headers['rampart-ray'] ?? '', /^[0-9a-f]{16}$/);
  assert.equal(res.headers['connection'], 'close');
  const body = JSON.parse(res.body.toString('utf8')) as { success: boolean; errors: Array<{ error: string }> };
  assert.equal(body.success, false);
  assert.equal(body.errors[0]?.error, 'request.malformed');
});

test('bare LF line endings: refused with 400, or parsed as one request with nothing smuggled', async () => {
  const before = heads.length;
  const r = await rawExchange(node.httpPort!, 'GET /lf-only HTTP/1.1\nHost: shop.test\nConnection: close\n\n');
  assert.equal(r.timedOut, false);
  assert.equal(r.responses.length, 1);
  const seen = heads.slice(before).filter((u) => u === '/lf-only').length;
  if (r.responses[0]!.status === 400) assert.equal(seen, 0);
  else { assert.equal(r.responses[0]!.status, 200); assert.equal(seen, 1); }
});

// ---- smuggling in a pipeline: a second request hidden by CL/TE confusion must never reach the origin ----

/** Heads the origin received since `from` that it must never have seen. */
const badSince = (from: number): string[] => heads.slice(from).filter(isBad);

test('CL.TE: a request hidden after a "0" chunk in the same packet is not forwarded', async () => {
  const from = heads.length;
  const inner = `GET /smuggled-clte HTTP/1.1\r\n${H}\r\n`;
  const body = `0\r\n\r\n${inner}`;
  const r = await rawExchange(node.httpPort!, `POST /smug/pipe-clte HTTP/1.1\r\n${H}Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n${body}`);
  assert.equal(r.responses[0]?.status, 400);
  assert.equal(r.responses.length, 1, 'no response for the hidden request');
  assert.equal(r.closed, true);
  assert.deepEqual(badSince(from), []);
});

// The same three payloads serve two tests each: the hidden request must never reach the origin (security), and the
// valid request in front of it must still get its own response (correct pipelining).
const PIPELINES: Array<{ name: string; ok: string; bytes: string }> = [
  (() => {
    const inner = `GET /smuggled-tecl HTTP/1.1\r\n${H}X: x`;
    const chunked = `${inner.length.toString(16)}\r\n${inner}\r\n0\r\n\r\n`;
    return { name: 'TE.CL', ok: '/pipe-ok-1',
      bytes: `GET /pipe-ok-1 HTTP/1.1\r\n${H}\r\nPOST /smug/pipe-tecl HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n${chunked}` };
  })(),
  (() => {
    const inner = `GET /smuggled-dupcl HTTP/1.1\r\n${H}\r\n`;
    return { name: 'duplicate Content-Length', ok: '/pipe-ok-2',
      bytes: `GET /pipe-ok-2 HTTP/1.1\r\n${H}\r\nPOST /smug/pipe-dupcl HTTP/1.1\r\n${H}Content-Length: 0\r\nContent-Length: ${inner.length}\r\n\r\n${inner}` };
  })(),
  { name: 'bad chunk size', ok: '/pipe-ok-3',
    bytes: `GET /pipe-ok-3 HTTP/1.1\r\n${H}\r\nPOST /smug/pipe-badchunk HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nGET /smuggled-badchunk HTTP/1.1\r\n${H}\r\n\r\n` },
];

for (const p of PIPELINES) {
  test(`${p.name} after a valid GET in one packet: the hidden request never reaches the origin`, async () => {
    const from = heads.length;
    const r = await rawExchange(node.httpPort!, p.bytes);
    assert.equal(r.timedOut, false);
    assert.equal(r.responses.at(-1)?.status, 400, 'the bad request is refused');
    assert.ok(r.responses.length <= 2, 'no response for the hidden request');
    assert.equal(r.closed, true);
    assert.ok(heads.slice(from).filter((u) => u === p.ok).length <= 1, 'the valid request is sent at most once');
    assert.deepEqual(badSince(from), []);
  });

  test(`${p.name} after a valid GET in one packet: the valid GET still gets its 200, then the 400`, {

  }, async () => {
    const from = heads.length;
    const r = await rawExchange(node.httpPort!, p.bytes);
    assert.equal(r.responses.length, 2, `got ${JSON.stringify(r.raw.toString('latin1').slice(0, 200))}`);
    assert.equal(r.responses[0]!.status, 200);
    assert.equal((JSON.parse(r.responses[0]!.body.toString('utf8')) as { url: string }).url, p.ok);
    assert.equal(r.responses[1]!.status, 400);
    assert.equal(heads.slice(from).filter((u) => u === p.ok).length, 1);
  });
}

test('a request refused by a limit (431) keeps the connection in sync: its body is skipped, not parsed as a request', async () => {
  const from = heads.length;
  const inner = `GET /smuggled-limit HTTP/1.1\r\n${H}\r\n`;
  const many = Array.from({ length: 150 }, (_, i) => `X-H${i}: ${i}\r\n`).join('');
  const r = await rawExchange(node.httpPort!,
    `POST /smug/limit-body HTTP/1.1\r\n${H}${many}Content-Length: ${inner.length}\r\n\r\n${inner}GET /after-limit HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  assert.equal(r.timedOut, false);
  assert.equal(r.responses[0]?.status, 431);
  // either the connection is closed after the refusal, or the next request is the one that follows the body
  if (r.responses.length > 1) {
    assert.equal(r.responses.length, 2);
    assert.equal((JSON.parse(r.responses[1]!.body.toString('utf8')) as { url: string }).url, '/after-limit');
  }
  assert.deepEqual(badSince(from), []);
});

test('a request inside a Content-Length body stays body: one origin request with the whole body', async () => {
  const from = heads.length;
  const inner = `GET /smuggled-in-body HTTP/1.1\r\n${H}\r\n`;
  const r = await rawExchange(node.httpPort!,
    `POST /in-body HTTP/1.1\r\n${H}Content-Length: ${inner.length}\r\nConnection: close\r\n\r\n${inner}`);
  assert.equal(r.responses.length, 1);
  assert.equal(r.responses[0]!.status, 200);
  const echo = JSON.parse(r.responses[0]!.body.toString('utf8')) as { url: string; bodyLength: number };
  assert.equal(echo.url, '/in-body');
  assert.equal(echo.bodyLength, inner.length);
  assert.deepEqual(badSince(from), []);
});

test('a request inside chunk data stays body: one origin request with the whole body', async () => {
  const from = heads.length;
  const inner = `0\r\n\r\nGET /smuggled-in-chunk HTTP/1.1\r\n${H}\r\n`;
  const r = await rawExchange(node.httpPort!,
    `POST /in-chunk HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${inner.length.toString(16)}\r\n${inner}\r\n0\r\n\r\n`);
  assert.equal(r.responses.length, 1);
  assert.equal(r.responses[0]!.status, 200);
  const echo = JSON.parse(r.responses[0]!.body.toString('utf8')) as { url: string; bodyLength: number };
  assert.equal(echo.url, '/in-chunk');
  assert.equal(echo.bodyLength, inner.length);
  assert.deepEqual(badSince(from), []);
});

test('Transfer-Encoding on an HTTP/1.0 request: refused, or served and the connection closed (RFC 9112 §6.1)', async () => {
  const r = await rawExchange(node.httpPort!, `POST /h10-te HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`);
  assert.equal(r.timedOut, false);
  assert.equal(r.responses.length, 1);
  assert.ok([200, 400].includes(r.responses[0]!.status));
  assert.equal(r.closed, true);
});

// ---- request targets and Host ----

test('absolute-form target with a different Host: the origin never gets an authority other than the routed one', {

}, async () => {
  const from = heads.length;
  const r = await rawExchange(node.httpPort!, `GET http://other.test/smug/absform HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  assert.equal(r.timedOut, false);
  assert.ok([400, 404].includes(r.responses[0]?.status ?? 0), `status ${r.responses[0]?.status}`);
  assert.deepEqual(badSince(from), []);
});

test('absolute-form target naming the zone is routed to it (RFC 9112 §3.2.2), in origin-form', {

}, async () => {
  const r = await rawExchange(node.httpPort!, `GET http://shop.test/absform HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n`);
  assert.ok([200, 400].includes(r.responses[0]?.status ?? 0), `status ${r.responses[0]?.status}`);
  if (r.responses[0]?.status === 200) {
    assert.equal((JSON.parse(r.responses[0].body.toString('utf8')) as { url: string }).url, '/absform');
  }
});

test('a Host with invalid characters is never routed to a zone', async () => {
  const from = heads.length;
  for (const h of ['shop.test/smug', 'evil@shop.test', 'shop.test evil', 'shop.test, evil.test']) {
    const r = await rawExchange(node.httpPort!, `GET /smug/bad-host HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\n\r\n`);
    assert.ok([400, 404].includes(r.responses[0]?.status ?? 0), `${h}: ${r.responses[0]?.status}`);
  }
  assert.deepEqual(badSince(from), []);
});

test('CONNECT is never tunnelled to anything', async () => {
  const from = heads.length;
  const r = await rawExchange(node.httpPort!, `CONNECT 127.0.0.1:${origin.port} HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\n\r\nGET /smuggled-connect HTTP/1.1\r\n${H}\r\n`);
  assert.equal(r.timedOut, false);
  assert.equal(r.closed, true);
  assert.ok(r.responses.every((x) => x.status >= 400), 'no 2xx for CONNECT');
  assert.deepEqual(badSince(from), []);
});

test('Expect: 100-continue (sent by curl for large uploads) gets 100 then the origin\'s answer', {

}, async () => {
  const r = await rawExchange(node.httpPort!, `POST /expect HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello`);
  const final = r.responses.filter((x) => x.status >= 200);
  assert.equal(final.length, 1);
  assert.equal(final[0]!.status, 200);
  assert.equal((JSON.parse(final[0]!.body.toString('utf8')) as { bodyLength: number }).bodyLength, 5);
});

test('OPTIONS * is answered without blaming the origin', {

}, async () => {
  const r = await rawExchange(node.httpPort!, `OPTIONS * HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  assert.ok(r.responses[0] !== undefined);
  assert.ok([200, 204, 400, 501].includes(r.responses[0].status), `status ${r.responses[0].status}`);
});

// ---- valid framing passes ----

test('a valid chunked POST reaches the origin with its whole body', async () => {
  const parts = ['hello', ' ', 'chunked', ' world', 'x'.repeat(5000)];
  const total = parts.reduce((n, p) => n + p.length, 0);
  const enc = parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n';
  const before = origin.seen.length;
  const r = await rawExchange(node.httpPort!, `POST /chunked-ok HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n${enc}`, { responses: 1 });
  assert.equal(r.responses.length, 1);
  assert.equal(r.responses[0]!.status, 200);
  const echo = JSON.parse(r.responses[0]!.body.toString('utf8')) as { method: string; url: string; bodyLength: number };
  assert.equal(echo.method, 'POST');
  assert.equal(echo.url, '/chunked-ok');
  assert.equal(echo.bodyLength, total);
  const s = origin.seen.slice(before).find((x) => x.url === '/chunked-ok');
  assert.ok(s);
  assert.equal(s.bodyLength, total);
});

test('a valid chunked POST with a chunk extension and trailers passes', async () => {
  const r = await rawExchange(node.httpPort!,
    `POST /chunked-ext HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;name=value\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n`);
  assert.equal(r.responses[0]?.status, 200);
  assert.equal((JSON.parse(r.responses[0]!.body.toString('utf8')) as { bodyLength: number }).bodyLength, 5);
});

test('a keep-alive pipeline of 3 GETs in one packet: 3 answers, in order, each reaching the origin once', async () => {
  const reqs = ['/pipe/1', '/pipe/2?x=y', '/pipe/3'].map((p) => `GET ${p} HTTP/1.1\r\n${H}\r\n`).join('');
  const r = await rawExchange(node.httpPort!, reqs, { responses: 3 });
  assert.equal(r.timedOut, false);
  assert.equal(r.responses.length, 3);
  assert.deepEqual(r.responses.map((x) => x.status), [200, 200, 200]);
  assert.deepEqual(r.responses.map((x) => (JSON.parse(x.body.toString('utf8')) as { url: string }).url), ['/pipe/1', '/pipe/2?x=y', '/pipe/3']);
  assert.equal(r.closed, false, 'keep-alive: the connection stays open');
  for (const p of ['/pipe/1', '/pipe/2', '/pipe/3']) assert.equal(origin.hits(p), 1, p);
});

test('pipelined answers keep request order even when the first is the slowest at the origin', async () => {
  const r = await rawExchange(node.httpPort!,
    `GET /order/slow?delay_ms=150 HTTP/1.1\r\n${H}\r\nGET /order/fast HTTP/1.1\r\n${H}\r\nGET /order/404?status=404 HTTP/1.1\r\n${H}\r\n`, { responses: 3 });
  assert.deepEqual(r.responses.map((x) => x.status), [200, 200, 404]);
  assert.deepEqual(r.responses.map((x) => (JSON.parse(x.body.toString('utf8')) as { url: string }).url.split('?')[0]), ['/order/slow', '/order/fast', '/order/404']);
});

test('a connection stays usable after an origin error page', async () => {
  const dead = await startOrigin();
  const addr = dead.address;
  await dead.close();
  await node.addZone('deadkeep.test', [addr]);
  const r = await rawExchange(node.httpPort!, `GET /x HTTP/1.1\r\nHost: deadkeep.test\r\n\r\nGET /after-error HTTP/1.1\r\n${H}\r\n`, { responses: 2 });
  assert.equal(r.responses[0]?.status, 502);
  assert.equal(r.responses[1]?.status, 200);
  assert.equal((JSON.parse(r.responses[1]!.body.toString('utf8')) as { url: string }).url, '/after-error');
});

test('a POST with Content-Length then a GET, pipelined: both served with the right framing', async () => {
  const r = await rawExchange(node.httpPort!,
    `POST /pipe-post HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhelloGET /pipe-after HTTP/1.1\r\n${H}\r\n`, { responses: 2 });
  assert.equal(r.responses.length, 2);
  const a = JSON.parse(r.responses[0]!.body.toString('utf8')) as { url: string; bodyLength: number };
  const b = JSON.parse(r.responses[1]!.body.toString('utf8')) as { url: string; method: string };
  assert.equal(a.url, '/pipe-post');
  assert.equal(a.bodyLength, 5);
  assert.equal(b.url, '/pipe-after');
  assert.equal(b.method, 'GET');
});

test('HEAD then GET pipelined: the HEAD answer has no body and the GET answer follows intact', async () => {
  const r = await rawExchange(node.httpPort!, `HEAD /head-first?size=100 HTTP/1.1\r\n${H}\r\nGET /after-head HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  const text = r.raw.toString('latin1');
  assert.equal(text.match(/HTTP\/1\.1 200 /g)?.length, 2, text.slice(0, 300));
  const second = text.slice(text.indexOf('HTTP/1.1 200 ', 1));
  assert.match(second, /"url":"\/after-head"/);
  // the HEAD answer's head is followed directly by the next status line: no body bytes in between
  assert.ok(text.slice(0, text.indexOf('HTTP/1.1 200 ', 1)).endsWith('\r\n\r\n'));
});

test('a header value with obs-text bytes (0x80-0xFF) is valid and passes through unchanged', async () => {
  const r = await rawExchange(node.httpPort!, Buffer.from(`GET /obs-text HTTP/1.1\r\n${H}X-Name: caf\xe9\r\nConnection: close\r\n\r\n`, 'latin1'));
  assert.equal(r.responses[0]?.status, 200);
  const seen = origin.seen.find((x) => x.url === '/obs-text');
  assert.ok(seen);
  assert.equal(Buffer.from(String(seen.headers['x-name']), 'latin1').toString('hex'), Buffer.from('caf\xe9', 'latin1').toString('hex'));
});

// ---- client-caused failures must not count against the origin ----

test('client-caused 502s do not mark healthy origins down (traffic keeps alternating between two origins)', {

}, async () => {
  const a = await startOrigin();
  const b = await startOrigin();
  try {
    await node.addZone('pair.test', [a.address, b.address]);
    for (let i = 0; i < 6; i++) await rawExchange(node.httpPort!, `OPTIONS * HTTP/1.1\r\nHost: pair.test\r\nConnection: close\r\n\r\n`);
    for (let i = 0; i < 4; i++) assert.equal((await node.get('pair.test', '/balance')).status, 200);
    assert.ok(a.hits('/balance') >= 1 && b.hits('/balance') >= 1, `a=${a.hits('/balance')} b=${b.hits('/balance')}`);
  } finally { await a.close(); await b.close(); }
});

// ---- the origin's side: malformed responses are not relayed ----

/** A raw origin answering each path with fixed bytes. */
async function startRawOrigin(answers: Record<string, string>): Promise<{ address: string; close(): Promise<void> }> {
  const srv = createNetServer((sock) => {
    let buf = '';
    sock.on('error', () => {});
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      sock.end(answers[buf.split(' ')[1] ?? ''] ?? 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return { address: `127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

const BAD_ANSWERS: Record<string, string> = {
  '/o-dupcl': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhelloxx',
  '/o-clte': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  '/o-nul': 'HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\nok',
  '/o-split': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil',
  '/o-short': 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello'
};

async function errorOf(host: string, path: string): Promise<{ status: number; error: string | undefined }> {
  const r = await rawExchange(node.httpPort!, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
  const res = r.responses[0];
  if (!res) return { status: 0, error: undefined };
  let error: string | undefined;
  try { error = (JSON.parse(res.body.toString('utf8')) as { errors?: Array<{ error: string }> }).errors?.[0]?.error; } catch { error = undefined; }
  return { status: res.status, error };
}

test('malformed origin framing is answered 502 origin.bad_response; extra bytes are dropped; a short body aborts', async () => {
  const bad = await startRawOrigin(BAD_ANSWERS);
  try {
    await node.addZone('badorigin.test', [bad.address]);
    for (const p of ['/o-dupcl', '/o-clte']) assert.deepEqual(await errorOf('badorigin.test', p), { status: 502, error: 'origin.bad_response' }, p);
    const split = await rawExchange(node.httpPort!, `GET /o-split HTTP/1.1\r\nHost: badorigin.test\r\nConnection: close\r\n\r\n`);
    assert.equal(split.responses.length, 1);
    assert.equal(split.responses[0]!.body.toString(), 'hello');
    assert.ok(!split.raw.includes('evil'));
    const short = await rawExchange(node.httpPort!, `GET /o-short HTTP/1.1\r\nHost: badorigin.test\r\nConnection: close\r\n\r\n`);
    assert.equal(short.closed, true);
    assert.equal(short.responses.length, 0, 'a truncated body is not turned into a complete response');
  } finally { await bad.close(); }
});

test('an origin response with a NUL in a header value is reported as origin.bad_response', {

}, async () => {
  const bad = await startRawOrigin(BAD_ANSWERS);
  try {
    await node.addZone('nulorigin.test', [bad.address]);
    assert.deepEqual(await errorOf('nulorigin.test', '/o-nul'), { status: 502, error: 'origin.bad_response' });
  } finally { await bad.close(); }
});

test('after everything: the origin never saw any refused or smuggled request', async () => {
  // a last valid request, so anything forwarded earlier has had its turn to arrive
  const r = await node.get('shop.test', '/final');
  assert.equal(r.status, 200);
  // (paths of the cases marked todo above are known to leak; each is reported by its own test)
  const known = new Set(['/smug/v20', '/smug/two-hosts', 'http://other.test/smug/absform']);
  assert.deepEqual(heads.filter(isBad).filter((u) => !known.has(u)), []);
  assert.deepEqual(origin.seen.map((s) => s.url).filter(isBad).filter((u) => !known.has(u)), []);
});
