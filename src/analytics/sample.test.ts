import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, it } from 'node:test';
import type { CompiledZone } from '../config/snapshot.ts';
import { RequestContext } from '../edge/pipeline/context.ts';
import type { PhaseName, Verdict } from '../edge/pipeline/phase.ts';
import { sampleFromContext, threatOf } from './sample.ts';
import { createAnalyticsLogPhase } from './log-hook.ts';

function ctxFor(opts: { url?: string; method?: string; headers?: Record<string, string>; status?: number; zone?: boolean } = {}): RequestContext {
  const req = new IncomingMessage(new Socket());
  req.method = opts.method ?? 'GET';
  req.url = opts.url ?? '/';
  req.headers = opts.headers ?? {};
  const res = new ServerResponse(req);
  res.statusCode = opts.status ?? 200;
  const ctx = new RequestContext('ray1', req, res, '203.0.113.7', true, 'example.com', 0);
  if (opts.zone !== false) ctx.zone = { id: 'zone-1' } as unknown as CompiledZone;
  return ctx;
}

const fin = (phase: PhaseName, verdict: Verdict) => ({ phase, verdict });

describe('sampleFromContext', () => {
  it('builds the sample from the context', () => {
    const ctx = ctxFor({ url: '/shop/cart?item=1', headers: { 'user-agent': 'Mozilla/5.0', accept: 'text/html,*/*' }, status: 200 });
    ctx.bytesOut = 1234;
    ctx.notes.set('country', 'de');
    ctx.notes.set('asn', 3320);
    assert.deepEqual(sampleFromContext(ctx, 42), {
      zoneId: 'zone-1', time: 42, status: 200, bytesOut: 1234, cached: false, pageview: true, threat: null, clientIp: '203.0.113.7',
      path: '/shop/cart', country: 'DE', asn: 3320, userAgent: 'Mozilla/5.0',
    });
  });

  it('is undefined without a zone; country and ASN null when unknown; long paths and user agents cut', () => {
    assert.equal(sampleFromContext(ctxFor({ zone: false }), 1), undefined);
    const s = sampleFromContext(ctxFor({ url: '/' + 'a'.repeat(1000), headers: { 'user-agent': 'u'.repeat(1000) } }), 1)!;
    assert.equal(s.country, null);
    assert.equal(s.asn, null);
    assert.equal(s.path.length, 256);
    assert.equal(s.userAgent.length, 256);
  });

  it('marks what the cache served, including stale on origin error', () => {
    const hit = ctxFor();
    hit.final = fin('cache', { kind: 'served', reason: 'cache.hit' });
    assert.equal(sampleFromContext(hit, 1)!.cached, true);
    const stale = ctxFor();
    stale.matched.push('cache:origin_5xx:stale');
    assert.equal(sampleFromContext(stale, 1)!.cached, true);
    const miss = ctxFor();
    assert.equal(sampleFromContext(miss, 1)!.cached, false);
    const only = ctxFor({ status: 504 });
    only.final = fin('cache', { kind: 'respond', status: 504, reason: 'cache.only_if_cached' });
    assert.equal(sampleFromContext(only, 1)!.cached, false);
  });

  it('counts page views for browser navigations answered 2xx only', () => {
    assert.equal(sampleFromContext(ctxFor({ headers: { 'sec-fetch-dest': 'document', accept: '*/*' } }), 1)!.pageview, true);
    assert.equal(sampleFromContext(ctxFor({ headers: { 'sec-fetch-dest': 'image', accept: 'text/html' } }), 1)!.pageview, false);
    assert.equal(sampleFromContext(ctxFor({ headers: { accept: 'application/json' } }), 1)!.pageview, false);
    assert.equal(sampleFromContext(ctxFor({ headers: { accept: 'text/html' }, status: 404 }), 1)!.pageview, false);
    assert.equal(sampleFromContext(ctxFor({ headers: { accept: 'text/html' }, method: 'POST' }), 1)!.pageview, false);
  });
});

describe('threatOf', () => {
  const cases: Array<[PhaseName, Verdict, string | null]> = [
    ['waf', { kind: 'respond', status: 403, reason: 'waf.block' }, 'waf'],
    ['waf', { kind: 'drop', reason: 'waf.drop' }, 'waf'],
    ['firewall-rules', { kind: 'respond', status: 403, reason: 'firewall.block', ruleId: 'r1' }, 'firewall'],
    ['firewall-rules', { kind: 'respond', status: 403, reason: 'challenge.issued', ruleId: 'r1' }, 'challenge'],
    ['rate-limit', { kind: 'respond', status: 429, reason: 'ratelimit.exceeded' }, 'ratelimit'],
    ['rate-limit', { kind: 'challenge', method: 'pow', reason: 'ratelimit.challenge' }, 'challenge'],
    ['access-rules', { kind: 'respond', status: 403, reason: 'access.block' }, 'access'],
    ['challenge', { kind: 'respond', status: 403, reason: 'challenge.security_level' }, 'mitigation'],
    ['challenge', { kind: 'respond', status: 503, reason: 'challenge.under_attack' }, 'mitigation'],
    ['challenge', { kind: 'respond', status: 403, reason: 'challenge.failed' }, 'challenge'],
    ['challenge', { kind: 'respond', status: 302, reason: 'challenge.solved' }, null],
    ['reputation', { kind: 'respond', status: 403, reason: 'reputation.block' }, 'reputation'],
    ['legal', { kind: 'respond', status: 451, reason: 'legal.order' }, null],
    ['cache', { kind: 'served', reason: 'cache.hit' }, null],
    ['origin', { kind: 'respond', status: 502, reason: 'origin.unreachable' }, null],
  ];
  for (const [phase, verdict, want] of cases) {
    it(`${phase} ${'reason' in verdict ? verdict.reason : verdict.kind} → ${want}`, () => assert.equal(threatOf({ phase, verdict }), want));
  }
  it('no final verdict → null', () => assert.equal(threatOf(undefined), null));
});

describe('createAnalyticsLogPhase', () => {
  it('records the sample of each finished request with a zone', () => {
    const got: Array<unknown> = [];
    const phase = createAnalyticsLogPhase({ record: (s) => got.push(s) }, () => 99);
    assert.equal(phase.name, 'log');
    phase.onLog!(ctxFor({ status: 404 }));
    phase.onLog!(ctxFor({ zone: false }));
    assert.equal(got.length, 2);
    assert.equal((got[0] as { status: number; time: number }).status, 404);
    assert.equal((got[0] as { time: number }).time, 99);
    assert.equal(got[1], undefined, 'no zone: undefined, which the aggregator ignores');
  });
});
