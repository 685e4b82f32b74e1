import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync, zstdDecompressSync } from 'node:zlib';
import { compressHeaders, createCompressor, decideCompression, isCompressibleType, negotiateEncoding } from './compress.ts';
import { normalizeAcceptEncoding } from '../cache/key.ts';
import { cspAllowsDecoder } from './csp.ts';

const VECTORS: Array<[string | undefined, string]> = [
  [undefined, 'identity'], ['', 'identity'], ['gzip', 'gzip'], ['gzip, deflate, br', 'br'], ['gzip, deflate, br, zstd', 'br'],
  ['br;q=0.5, gzip', 'gzip'], ['zstd, gzip;q=0.9', 'zstd'], ['*', 'br'], ['*;q=0, gzip;q=0.1', 'gzip'], ['identity', 'identity'],
  ['deflate', 'identity'], ['br;q=0, zstd;q=0, gzip;q=0', 'identity'], ['x-gzip', 'gzip'], ['GZIP;Q=1.0', 'gzip'], ['br;q=0.001, identity;q=0.5', 'identity'],
  ['gzip;q=0.8, zstd;q=0.8, br;q=0.8', 'br'], ['identity;q=0, *;q=0', 'identity'], ['compress, *;q=0.1', 'br'],
];

test('negotiation: q-values, br > zstd > gzip at equal q; agrees with the cache variant key', () => {
  for (const [ae, want] of VECTORS) {
    assert.equal(negotiateEncoding(ae), want, String(ae));
    assert.equal(negotiateEncoding(ae), normalizeAcceptEncoding(ae), `cache disagrees on ${String(ae)}`);
  }
});

test('compressible types', () => {
  for (const t of ['text/html; charset=utf-8', 'application/json', 'application/javascript', 'image/svg+xml', 'application/vnd.foo+json', 'TEXT/CSS']) assert.ok(isCompressibleType(t), t);
  for (const t of [undefined, 'image/png', 'application/octet-stream', 'video/mp4', 'text/event-stream', 'application/zip']) assert.ok(!isCompressibleType(t), String(t));
});

test('decision: skips encoded, no-transform, small, 204/206/304, HEAD and Range (those still vary)', () => {
  const req = { method: 'GET', acceptEncoding: 'br, gzip', range: false };
  const html = ['Content-Type', 'text/html'];
  assert.equal(decideCompression(req, 200, html).coding, 'br');
  assert.equal(decideCompression(req, 200, [...html, 'Content-Encoding', 'gzip']).reason, 'encoded');
  assert.equal(decideCompression(req, 200, [...html, 'cache-control', 'public, no-transform']).reason, 'no-transform');
  assert.equal(decideCompression(req, 200, [...html, 'content-length', '100']).reason, 'small');
  assert.equal(decideCompression(req, 200, [...html, 'content-length', '5000']).coding, 'br');
  for (const s of [204, 206, 304, 101]) assert.equal(decideCompression(req, s, html).coding, undefined);
  const head = decideCompression({ ...req, method: 'HEAD' }, 200, html);
  assert.deepEqual([head.coding, head.vary], [undefined, true]);
  const range = decideCompression({ ...req, range: true }, 200, html);
  assert.deepEqual([range.coding, range.vary], [undefined, true]);
  const none = decideCompression({ ...req, acceptEncoding: undefined }, 200, html);
  assert.deepEqual([none.coding, none.vary], [undefined, true]);
  assert.equal(decideCompression(req, 200, ['content-type', 'image/png']).vary, false);
});

test('compressHeaders: encoding set, length gone, ETag weakened, Vary merged', () => {
  const h = ['Content-Type', 'text/html', 'Content-Length', '5000', 'ETag', '"abc"', 'Vary', 'Cookie', 'Accept-Ranges', 'bytes'];
  compressHeaders(h, 'zstd');
  assert.deepEqual(h, ['Content-Type', 'text/html', 'ETag', 'W/"abc"', 'content-encoding', 'zstd', 'vary', 'cookie, Accept-Encoding']);
  const w = ['etag', 'W/"x"', 'vary', 'accept-encoding'];
  compressHeaders(w, 'br');
  assert.deepEqual(w, ['etag', 'W/"x"', 'vary', 'accept-encoding', 'content-encoding', 'br']);
});

test('the compressors produce streams node:zlib decodes back to the input', async () => {
  const input = Buffer.from('hello compressible world '.repeat(2000));
  const decode = { br: brotliDecompressSync, zstd: zstdDecompressSync, gzip: gunzipSync };
  for (const coding of ['br', 'zstd', 'gzip'] as const) {
    const z = createCompressor(coding, input.length);
    const out: Buffer[] = [];
    z.on('data', (c: Buffer) => out.push(c));
    const done = new Promise((r) => z.on('end', r));
    for (let i = 0; i < input.length; i += 7000) z.write(input.subarray(i, i + 7000));
    z.end();
    await done;
    const body = Buffer.concat(out);
    assert.ok(body.length < input.length / 10, coding);
    assert.deepEqual(decode[coding](body), input, coding);
  }
});

test('CSP: self, nonce, strict-dynamic, none, several policies', () => {
  assert.deepEqual(cspAllowsDecoder([], 'a.test'), { ok: true });
  assert.deepEqual(cspAllowsDecoder(["default-src 'self'"], 'a.test'), { ok: true });
  assert.deepEqual(cspAllowsDecoder(["img-src *"], 'a.test'), { ok: true });
  assert.deepEqual(cspAllowsDecoder(["script-src 'none'"], 'a.test'), { ok: false });
  assert.deepEqual(cspAllowsDecoder(["script-src https://cdn.x"], 'a.test'), { ok: false });
  assert.deepEqual(cspAllowsDecoder(["script-src https://a.test:8443"], 'a.test'), { ok: true });
  assert.deepEqual(cspAllowsDecoder(["script-src 'nonce-r4nd0m' 'strict-dynamic' 'self'"], 'a.test'), { ok: true, nonce: 'r4nd0m' });
  assert.deepEqual(cspAllowsDecoder(["script-src 'self' 'strict-dynamic'"], 'a.test'), { ok: false });
  assert.deepEqual(cspAllowsDecoder(["script-src 'self'", "default-src 'none'"], 'a.test'), { ok: false });
  assert.deepEqual(cspAllowsDecoder(["script-src 'self', script-src 'nonce-a'"], 'a.test'), { ok: true, nonce: 'a' });
});
