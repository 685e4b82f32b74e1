import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZoneMonitor } from './zone-monitor.ts';
import type { MonitorDecision } from './zone-monitor.ts';
import { DEFAULT_AUTO_MITIGATION } from './options.ts';
import type { AutoMitigationOptions } from './options.ts';
import { isActive, matches } from './rule.ts';
import type { AutoRule } from './rule.ts';
import type { Traits } from './traits.ts';

const O: AutoMitigationOptions = { ...DEFAULT_AUTO_MITIGATION, warmupS: 30, confirmS: 2, ttlS: 60, suppressS: 120 };
const T0 = 1_700_000_000_000;

const legit = (i: number): Traits => ({ path: i % 2 === 0 ? '/' : `/p${i % 5}`, ua: 'Mozilla/5.0 browser', prefix: `198.51.${i % 3}.0/24`, fingerprint: 'aaaaaaaa' });

class Sim {
  readonly m: ZoneMonitor;
  now = T0;
  rules: AutoRule[] = [];
  level = 'medium';
  constructor(o = O) { this.m = new ZoneMonitor('z1', o); }
  /** One second: `n` legitimate requests and the attack's, then a tick. */
  second(n: number, attack?: { n: number; traits: (i: number) => Traits }, origin?: { ms: number; errors: number }): MonitorDecision[] {
    for (let i = 0; i < n; i++) this.#request(legit(i));
    if (attack) for (let i = 0; i < attack.n; i++) this.#request(attack.traits(i));
    const reached = n + (attack?.n ?? 0);
    for (let i = 0; i < reached && origin; i++) this.m.observeOrigin(origin.ms, i < origin.errors);
    if (!origin) for (let i = 0; i < n; i++) this.m.observeOrigin(20, false);
    this.now += 1000;
    const d = this.m.tick(this.now, { securityLevel: this.level, mode: 'on', rules: this.rules });
    for (const x of d) {
      if (x.kind === 'create') this.rules.push(x.rule);
      else this.rules = this.rules.map((r) => (r.id === x.ruleId ? { ...r, expiresAt: x.expiresAt } : r));
    }
    return d;
  }
  /** What the phase does: matching rules count the request; an enforced challenge (or raised level) mitigates it. */
  #request(t: Traits): void {
    let mitigated = false;
    for (const r of this.rules) {
      if (!isActive(r, this.now) || !matches(r, t)) continue;
      this.m.hit(r.id);
      if (this.enforce && r.mode === 'on' && (r.action === 'challenge' || r.level === 'under_attack')) mitigated = true;
    }
    this.m.observe(t, mitigated);
  }
  /** Whether the phase enforces the rules (false: attackers pass, as if every rule were ineffective). */
  enforce = true;
    learn(seconds: number, n = 20): void { for (let i = 0; i < seconds; i++) assert.deepEqual(this.second(n), []); }
}

const evil = (i: number): Traits => ({ path: `/p${i % 5}`, ua: 'evil/1.0', prefix: `10.${(i >> 8) & 255}.${i & 255}.0/24`, fingerprint: 'aaaaaaaa' });

test('a flood with one User-Agent from many prefixes is challenged by UA, after confirmS seconds', () => {
  const s = new Sim();
  s.learn(40);
  assert.ok(Math.abs(s.m.baseline.rate - 20) < 0.5);
  assert.deepEqual(s.second(20, { n: 400, traits: evil }), [], 'one anomalous second is not enough');
  const d = s.second(20, { n: 400, traits: evil });
  assert.equal(d.length, 1);
  const c = d[0]!;
  assert.equal(c.kind, 'create');
  if (c.kind !== 'create') return;
  assert.equal(c.rule.action, 'challenge');
  assert.deepEqual(c.rule.segment, { dim: 'ua', key: 'evil/1.0', share: 1 });
  assert.equal(c.rule.signal, 'rate');
  assert.equal(c.rule.expiresAt, s.now + 60_000);
  assert.match(c.rule.reason, /^signal: rate 21x baseline \(420 req\/s, baseline 20\); segment: ua="evil\/1\.0" 100% of surge; action: challenge$/);
  assert.match(c.rule.id, /^auto_[0-9a-f]{8}_[0-9a-z]+$/);
});

test('the baseline does not learn the attack, and the rule is extended while it lasts, then left to expire', () => {
  const s = new Sim();
  s.learn(40);
  s.second(20, { n: 400, traits: evil });
  s.second(20, { n: 400, traits: evil });
  assert.equal(s.rules.length, 1);
  const created = s.rules[0]!.expiresAt;
  let extended = 0;
  for (let i = 0; i < 30; i++) for (const d of s.second(20, { n: 400, traits: evil })) { assert.equal(d.kind, 'extend'); extended++; }
  assert.ok(extended >= 1 && extended <= 3, `extensions are batched (${extended})`);
  assert.ok(s.rules[0]!.expiresAt > created);
  assert.equal(s.rules.length, 1, 'no second rule for the same flood');
  assert.ok(s.m.baseline.rate < 21, `baseline frozen (${s.m.baseline.rate})`);
  // attack over: back to normal, nothing extended, learning resumes
  const end = s.rules[0]!.expiresAt;
  for (let i = 0; i < 70; i++) assert.deepEqual(s.second(20), []);
  assert.equal(s.rules[0]!.expiresAt, end);
  assert.ok(s.now > end, 'the rule has expired by itself');
});

test('cold start: no baseline yet, a flood over the floor dominated by one prefix is challenged by prefix', () => {
  const s = new Sim();
  s.second(250, undefined);
  const d = s.second(20, { n: 300, traits: (i) => ({ path: `/r${i}`, ua: `ua${i % 50}`, prefix: '203.0.113.0/24', fingerprint: `f${i % 7}` }) });
  // 20 legit + 300 attack = 320 ≥ 200; 203.0.113.0/24 is 94% of it
  assert.equal(d.length, 1);
  const c = d[0]!;
  assert.ok(c.kind === 'create');
  if (c.kind !== 'create') return;
  assert.equal(c.rule.signal, 'cold_start');
  assert.equal(c.rule.segment?.dim, 'prefix');
  assert.equal(c.rule.segment?.key, '203.0.113.0/24');
});

test('cold start without a dominant segment does nothing; below the floor nothing fires', () => {
  const s = new Sim();
  const spread = (i: number): Traits => ({ path: `/r${i % 10}`, ua: `ua${i % 10}`, prefix: `10.0.${i % 10}.0/24`, fingerprint: `f${i % 10}` });
  for (let i = 0; i < 5; i++) assert.deepEqual(s.second(0, { n: 300, traits: spread }), []);
  const t = new Sim();
  for (let i = 0; i < 5; i++) assert.deepEqual(t.second(150), []);
});

test('no segment explains the surge: the security level is raised one step', () => {
  const s = new Sim();
  s.learn(40);
  const spread = (i: number): Traits => ({ path: `/r${i % 20}`, ua: `ua${i % 20}`, prefix: `10.0.${i % 20}.0/24`, fingerprint: `f${i % 20}` });
  s.second(20, { n: 400, traits: spread });
  const d = s.second(20, { n: 400, traits: spread });
  assert.equal(d.length, 1);
  const c = d[0]!;
  assert.ok(c.kind === 'create' && c.rule.action === 'security_level' && c.rule.level === 'high' && c.rule.segment === null);
  assert.match(c.kind === 'create' ? c.rule.reason : '', /segment: no single segment explains the surge; action: security level high/);
  // the zone is already under attack: nothing more to raise
  const u = new Sim();
  u.level = 'under_attack';
  u.learn(40);
  u.second(20, { n: 400, traits: spread });
  assert.deepEqual(u.second(20, { n: 400, traits: spread }), []);
});

test('a surge in a segment with legitimate traffic is rate limited to twice its normal rate', () => {
  const s = new Sim();
  s.learn(40);
  // half of the normal traffic is on "/", the flood also hits "/" with browser-like traits from many prefixes
  const onRoot = (i: number): Traits => ({ path: '/', ua: `Mozilla/5.0 v${i % 40}`, prefix: `10.1.${i % 40}.0/24`, fingerprint: `f${i % 40}` });
  s.second(20, { n: 60, traits: onRoot });
  const d = s.second(20, { n: 60, traits: onRoot });
  assert.equal(d.length, 1);
  const c = d[0]!;
  assert.ok(c.kind === 'create');
  if (c.kind !== 'create') return;
  assert.deepEqual(c.rule.segment, { dim: 'path', key: '/', share: 1 });
  assert.equal(c.rule.action, 'ratelimit');
  assert.equal(c.rule.rps, 20);
});

test('origin signal: a smaller surge while the origin fails', () => {
  const s = new Sim();
  s.learn(40, 40);
  const bot = (i: number): Traits => ({ path: '/search', ua: 'bot/2', prefix: `10.2.${i % 30}.0/24`, fingerprint: 'bbbbbbbb' });
  // 40 → 100 req/s is 2.5x: below rateFactor 4, but the origin errors on 50%
  assert.deepEqual(s.second(40, { n: 60, traits: bot }), [], 'without origin distress: no signal');
  assert.equal(s.m.lastSignal, undefined);
  s.second(40, { n: 60, traits: bot }, { ms: 900, errors: 50 });
  const d = s.second(40, { n: 60, traits: bot }, { ms: 900, errors: 50 });
  assert.equal(d.length, 1);
  const c = d[0]!;
  assert.ok(c.kind === 'create');
  if (c.kind !== 'create') return;
  assert.equal(c.rule.signal, 'origin');
  assert.match(c.rule.signalDetail, /while origin errors 50%/);
  assert.equal(c.rule.segment?.dim, 'ua');
});

test('a lifted rule\'s segment is not blamed again during suppressS', () => {
  const s = new Sim();
  s.learn(40);
  s.second(20, { n: 400, traits: evil });
  s.second(20, { n: 400, traits: evil });
  assert.equal(s.rules.length, 1);
  s.rules = s.rules.map((r) => ({ ...r, liftedAt: s.now }));
  for (let i = 0; i < 10; i++) assert.deepEqual(s.second(20, { n: 400, traits: evil }), []);
});

test('log mode rules say so', () => {
  const m = new ZoneMonitor('z1', O);
  let now = T0;
  const tick = (): MonitorDecision[] => { now += 1000; return m.tick(now, { securityLevel: 'medium', mode: 'log', rules: [] }); };
  for (let i = 0; i < 40; i++) { for (let j = 0; j < 10; j++) m.observe(legit(j)); tick(); }
  for (let i = 0; i < 400; i++) m.observe(evil(i));
  tick();
  for (let i = 0; i < 400; i++) m.observe(evil(i));
  const d = tick();
  assert.equal(d.length, 1);
  assert.equal(d[0]!.kind === 'create' ? d[0]!.rule.mode : '', 'log');
});

test('rules that restore normal traffic are kept, nothing more is added; a new flood component gets its own rule', () => {
  const s = new Sim();
  s.learn(40);
  s.second(20, { n: 400, traits: evil });
  s.second(20, { n: 400, traits: evil });
  assert.equal(s.rules.length, 1);
  // the UA rule mitigates the flood: all traffic is still anomalous, what passes is normal → no other rule
  for (let i = 0; i < 20; i++) for (const d of s.second(20, { n: 400, traits: evil })) assert.equal(d.kind, 'extend');
  assert.equal(s.rules.length, 1);
  // the attacker changes its User-Agent: what passes is anomalous again → a rule for the new UA
  const evil2 = (i: number): Traits => ({ ...evil(i), ua: 'evil/2.0' });
  s.second(20, { n: 400, traits: evil2 });
  const d = s.second(20, { n: 400, traits: evil2 });
  const created = d.filter((x) => x.kind === 'create');
  assert.equal(created.length, 1);
  assert.deepEqual(created[0]!.kind === 'create' ? created[0]!.rule.segment : null, { dim: 'ua', key: 'evil/2.0', share: 1 });
});

test('a raised level that does not restore normal traffic is raised again after escalateS', () => {
  const s = new Sim({ ...O, escalateS: 10 });
  s.learn(40);
  const spread = (i: number): Traits => ({ path: `/r${i % 20}`, ua: `ua${i % 20}`, prefix: `10.0.${i % 20}.0/24`, fingerprint: `f${i % 20}` });
  s.second(20, { n: 400, traits: spread });
  s.second(20, { n: 400, traits: spread });
  assert.deepEqual(s.rules.map((r) => r.level), ['high']);
  // `high` challenges only clients with a threat score: these have none, the flood goes on
  for (let i = 0; i < 9; i++) assert.equal(s.second(20, { n: 400, traits: spread }).filter((d) => d.kind === 'create').length, 0);
  let created: MonitorDecision[] = [];
  for (let i = 0; i < 3 && created.length === 0; i++) created = s.second(20, { n: 400, traits: spread }).filter((d) => d.kind === 'create');
  assert.equal(created.length, 1);
  const c = created[0]!;
  assert.ok(c.kind === 'create' && c.rule.action === 'security_level' && c.rule.level === 'under_attack');
  // under_attack mitigates everyone: nothing further
  for (let i = 0; i < 20; i++) assert.equal(s.second(20, { n: 400, traits: spread }).filter((d) => d.kind === 'create').length, 0);
  assert.deepEqual(s.rules.map((r) => r.level), ['high', 'under_attack']);
});
