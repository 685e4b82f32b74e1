import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTransformsPhase, RESPONSE_TRANSFORM_NOTE } from './index.ts';
import type { ResponseTransform } from './index.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import type { CompiledZone } from '../../../config/snapshot.ts';

const random = { bytes: (n: number) => Buffer.alloc(n, 7) };

function zone(settings: Record<string, unknown> = {}): CompiledZone {
  return { id: 'z', name: 'shop.test', zone: { aliases: ['*.cdn-shop.test'] }, settings: { paused: false, ...settings } } as unknown as CompiledZone;
}

function ctx(z: CompiledZone, url: string, headers: Record<string, string> = {}, method = 'GET'): RequestContext {
  const notes = new Map<string, unknown>();
  const skip = new Set<string>();
  return { zone: z, host: 'shop.test', notes, req: { url, method, headers }, skips: (w: string) => skip.has(w) } as unknown as RequestContext;
}

test('assets: the decoder script and the protection page are answered for GET and HEAD', () => {
  const p = createTransformsPhase({ random });
  const js = p.onRequest(ctx(zone(), '/.rampart/email-decode.js?v=1'));
  assert.equal(js.kind, 'respond');
  if (js.kind === 'respond') { assert.equal(js.status, 200); assert.match(js.contentType!, /javascript/); assert.match(js.body!, /data-rampart-email/); }
  const page = p.onRequest(ctx(zone(), '/.rampart/email-protection', {}, 'HEAD'));
  assert.equal(page.kind === 'respond' && page.status, 200);
  assert.equal(p.onRequest(ctx(zone(), '/.rampart/email-decode.js', {}, 'POST')).kind, 'continue');
});

test('hotlink: 403 only when switched on, not for paused zones', () => {
  const p = createTransformsPhase({ random });
  const foreign = { referer: 'https://evil.example/' };
  assert.equal(p.onRequest(ctx(zone(), '/a.png', foreign)).kind, 'continue');
  const v = p.onRequest(ctx(zone({ hotlink_protection: true, hotlink_allow: ['ok.example'] }), '/a.png', foreign));
  assert.deepEqual(v, { kind: 'respond', status: 403, reason: 'hotlink.block' });
  assert.equal(p.onRequest(ctx(zone({ hotlink_protection: true }), '/a.png', { referer: 'https://img.cdn-shop.test/' })).kind, 'continue');
  assert.equal(p.onRequest(ctx(zone({ hotlink_protection: true, paused: true }), '/a.png', foreign)).kind, 'continue');
});

function begin(settings: Record<string, unknown>, reqHeaders: Record<string, string>, status: number, flat: string[], method = 'GET'): { streams: number; flat: string[] } {
  const p = createTransformsPhase({ random });
  const c = ctx(zone(settings), '/x', reqHeaders, method);
  p.onRequest(c);
  const t = c.notes.get(RESPONSE_TRANSFORM_NOTE) as ResponseTransform | undefined;
  if (t === undefined) return { streams: -1, flat };
  const b = t.begin(status, flat);
  return { streams: b?.streams.length ?? 0, flat };
}

test('response side: HTML gets obfuscation then compression; headers rewritten once', () => {
  const r = begin({}, { 'accept-encoding': 'gzip' }, 200, ['Content-Type', 'text/html', 'Content-Length', '5000', 'ETag', '"a"']);
  assert.equal(r.streams, 2);
  assert.deepEqual(r.flat, ['Content-Type', 'text/html', 'ETag', 'W/"a"', 'vary', 'Accept-Encoding', 'content-encoding', 'gzip']);
});

test('response side: a CSP that blocks the decoder leaves the HTML alone (compression still applies)', () => {
  const r = begin({}, { 'accept-encoding': 'br' }, 200, ['content-type', 'text/html', 'content-security-policy', "script-src 'none'"]);
  assert.equal(r.streams, 1);
  assert.ok(r.flat.includes('br'));
});

test('response side: switches and origin-encoded bodies', () => {
  assert.equal(begin({ compression: false, email_obfuscation: false }, { 'accept-encoding': 'br' }, 200, ['content-type', 'text/html']).streams, -1);
  assert.equal(begin({ compression: false }, { 'accept-encoding': 'br' }, 200, ['content-type', 'text/html']).streams, 1);
  const enc = begin({}, { 'accept-encoding': 'br' }, 200, ['content-type', 'text/html', 'content-encoding', 'gzip']);
  assert.equal(enc.streams, 0);
  assert.deepEqual(enc.flat, ['content-type', 'text/html', 'content-encoding', 'gzip']);
  assert.equal(begin({}, { 'accept-encoding': 'br' }, 200, ['content-type', 'text/html'], 'HEAD').streams, 0);
  assert.equal(begin({}, {}, 304, ['content-type', 'text/html']).streams, 0);
});
