import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../lib/clock.ts';
import { MemoryKeyValueStore } from '../../../state/memory/index.ts';
import { AutoMitigation, DEFAULT_AUTO_MITIGATION, publishRule } from '../../../mitigation/auto/index.ts';
import type { AutoRule } from '../../../mitigation/auto/index.ts';
import type { CompiledZone } from '../../../config/snapshot.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import type { Verdict } from '../../pipeline/phase.ts';
import { createAutoMitigationPhase } from './index.ts';

const T0 = 1_700_000_000_000;

function zone(settings: Record<string, unknown> = {}): CompiledZone {
  return { id: 'z', name: 'shop.test', settings: { paused: false, security_level: 'medium', ...settings } } as unknown as CompiledZone;
}

function ctx(z: CompiledZone, url: string, ua: string, o: { ip?: string; score?: number; skip?: string[] } = {}): RequestContext {
  const notes = new Map<string, unknown>();
  if (o.score !== undefined) notes.set('threat_score', o.score);
  const skip = new Set(o.skip ?? []);
  const headers = { host: 'shop.test', 'user-agent': ua };
  return {
    zone: z, host: 'shop.test', clientIp: o.ip ?? '198.51.100.7', tls: false, notes, matched: [] as string[], originStatus: 0, originMs: -1, errorCode: undefined, final: undefined,
    req: { url, method: 'GET', headers, rawHeaders: ['Host', 'shop.test', 'User-Agent', ua], httpVersion: '1.1' }, skips: (w: string) => skip.has(w),
  } as unknown as RequestContext;
}

function rule(over: Partial<AutoRule>): AutoRule {
  return { id: 'r1', zoneId: 'z', signal: 'rate', signalDetail: 'x', segment: { dim: 'ua', key: 'evil', share: 1 }, action: 'challenge', reason: 'x', mode: 'on', createdAt: T0, expiresAt: T0 + 60_000, ...over };
}

async function setup(rules: AutoRule[]): Promise<{ phase: ReturnType<typeof createAutoMitigationPhase>; engine: AutoMitigation; clock: ManualClock }> {
  const clock = new ManualClock(T0);
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  for (const r of rules) await publishRule(kv, r, T0);
  const engine = new AutoMitigation({ kv, clock, options: DEFAULT_AUTO_MITIGATION });
  await engine.sync();
  return { phase: createAutoMitigationPhase({ engine, now: () => clock.now() }), engine, clock };
}

const run = (p: ReturnType<typeof createAutoMitigationPhase>, c: RequestContext): Verdict => p.onRequest!(c) as Verdict;

test('a challenge rule challenges its segment only; expired rules and allowed clients pass', async () => {
  const { phase, clock } = await setup([rule({})]);
  assert.deepEqual(run(phase, ctx(zone(), '/', 'evil')), { kind: 'challenge', method: 'managed', reason: 'auto.challenge', ruleId: 'r1' });
  assert.equal(run(phase, ctx(zone(), '/', 'browser')).kind, 'continue');
  assert.equal(run(phase, ctx(zone(), '/', 'evil', { skip: ['reputation'] })).kind, 'continue', 'an allow rule skips it');
  assert.equal(run(phase, ctx(zone({ auto_mitigation: 'off' }), '/', 'evil')).kind, 'continue');
  assert.equal(run(phase, ctx(zone({ paused: true }), '/', 'evil')).kind, 'continue');
  clock.advance(60_000);
  assert.equal(run(phase, ctx(zone(), '/', 'evil')).kind, 'continue', 'expired');
});

test('a ratelimit rule answers 429 auto.ratelimit past its rate; a log-mode rule only records', async () => {
  const { phase } = await setup([
    rule({ id: 'rl', action: 'ratelimit', rps: 5, segment: { dim: 'prefix', key: '203.0.113.0/24', share: 0.8 } }),
    rule({ id: 'lg', mode: 'log', segment: { dim: 'path', key: '/logged', share: 0.9 } }),
  ]);
  const verdicts = Array.from({ length: 8 }, () => run(phase, ctx(zone(), '/', 'x', { ip: '203.0.113.9' })));
  assert.equal(verdicts.filter((v) => v.kind === 'continue').length, 5);
  const limited = verdicts.find((v) => v.kind === 'respond');
  assert.deepEqual(limited, { kind: 'respond', status: 429, reason: 'auto.ratelimit', ruleId: 'rl', headers: { 'retry-after': '1' } });
  const c = ctx(zone(), '/logged', 'x');
  assert.equal(run(phase, c).kind, 'continue');
  assert.deepEqual(c.matched, ['mitigation:lg:log']);
});

test('a raised security level: under_attack challenges everyone, high only clients with a threat score', async () => {
  const ua = await setup([rule({ id: 'lv', action: 'security_level', level: 'under_attack', segment: null })]);
  assert.equal(run(ua.phase, ctx(zone(), '/', 'anyone')).kind, 'challenge');
  const hi = await setup([rule({ id: 'lv', action: 'security_level', level: 'high', segment: null })]);
  assert.equal(run(hi.phase, ctx(zone(), '/', 'anyone')).kind, 'continue');
  assert.equal(run(hi.phase, ctx(zone(), '/', 'anyone', { score: 3 })).kind, 'challenge');
});

test('requests and origin outcomes feed the zone monitor', async () => {
  const { phase, engine } = await setup([]);
  const c = ctx(zone(), '/p?q=1', 'browser');
  run(phase, c);
  (c as unknown as { originStatus: number; originMs: number }).originStatus = 502;
  (c as unknown as { originStatus: number; originMs: number }).originMs = 40;
  phase.onLog!(c);
  const m = engine.monitor('z');
  assert.ok(m);
  // one request, one origin error, as the next closed second shows
  const decisions = m.tick(T0 + 1000, { securityLevel: 'medium', mode: 'on', rules: [] });
  assert.deepEqual(decisions, []);
  assert.equal(m.baseline.rate, 1);
  assert.equal(m.baseline.errorShare, 1);
  assert.equal(m.baseline.latencyMs, 40);
  assert.equal(m.baseline.share('path', '/p'), 1);
  assert.equal(m.baseline.share('prefix', '198.51.100.0/24'), 1);
});
