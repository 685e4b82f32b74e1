import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../lib/clock.ts';
import { MemoryKeyValueStore } from '../../state/memory/index.ts';
import { AUTO_DIR_KEY, updateRules, extendRule, liftRule, publishRule, pruneRules, readDir, readRules, zoneIndexKey } from './store.ts';
import type { AutoRule } from './rule.ts';

const T0 = 1_700_000_000_000;
function rule(id: string, over: Partial<AutoRule> = {}): AutoRule {
  return { id, zoneId: 'z1', signal: 'rate', signalDetail: 'rate 10x baseline', segment: { dim: 'ua', key: 'evil', share: 0.9 }, action: 'challenge', reason: 'r', mode: 'on', createdAt: T0, expiresAt: T0 + 60_000, ...over };
}

test('publish, extend, lift; the directory version moves on every change', async () => {
  const clock = new ManualClock(T0);
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  await publishRule(kv, rule('a'), T0);
  const d1 = await readDir(kv);
  assert.ok(typeof d1['z1'] === 'number');
  assert.deepEqual((await readRules(kv, 'z1')).map((r) => r.id), ['a']);
  // another worker found the same segment: the existing rule is extended, no duplicate
  await publishRule(kv, rule('b', { expiresAt: T0 + 90_000 }), T0 + 1000);
  let rules = await readRules(kv, 'z1');
  assert.deepEqual(rules.map((r) => [r.id, r.expiresAt]), [['a', T0 + 90_000]]);
  const d2 = await readDir(kv);
  assert.ok(d2['z1']! > d1['z1']!);
  // a different segment is a second rule
  await publishRule(kv, rule('c', { segment: { dim: 'path', key: '/x', share: 0.7 } }), T0 + 1000);
  assert.equal((await readRules(kv, 'z1')).length, 2);
  await extendRule(kv, 'z1', 'c', T0 + 120_000, T0 + 2000);
  assert.equal((await readRules(kv, 'z1')).find((r) => r.id === 'c')?.expiresAt, T0 + 120_000);
  // extend never shortens, and does nothing to an unknown rule
  await extendRule(kv, 'z1', 'c', T0 + 100_000, T0 + 2000);
  await extendRule(kv, 'z1', 'nope', T0 + 200_000, T0 + 2000);
  assert.equal((await readRules(kv, 'z1')).find((r) => r.id === 'c')?.expiresAt, T0 + 120_000);
  // a raised level and its escalation are two rules, not one extended
  await publishRule(kv, rule('h', { segment: null, action: 'security_level', level: 'high' }), T0 + 1000);
  await publishRule(kv, rule('u', { segment: null, action: 'security_level', level: 'under_attack' }), T0 + 1000);
  await publishRule(kv, rule('u2', { segment: null, action: 'security_level', level: 'under_attack', expiresAt: T0 + 99_000 }), T0 + 1000);
  assert.deepEqual((await readRules(kv, 'z1')).filter((r) => r.segment === null).map((r) => [r.id, r.expiresAt]), [['h', T0 + 60_000], ['u', T0 + 99_000]]);
  const lifted = await liftRule(kv, 'z1', 'a', T0 + 3000);
  assert.equal(lifted?.liftedAt, T0 + 3000);
  assert.equal(await liftRule(kv, 'z1', 'a', T0 + 3000), undefined, 'already lifted');
  rules = await readRules(kv, 'z1');
  assert.equal(rules.find((r) => r.id === 'a')?.liftedAt, T0 + 3000, 'a lifted rule stays listed as recent');
  assert.equal(await kv.get(zoneIndexKey('z1') + ':lock'), undefined, 'locks are released');
  await kv.close();
});

test('pruning keeps active rules and the last hour of ended ones; an empty zone leaves the directory', async () => {
  const now = T0 + 10 * 3600_000;
  const list = [rule('live', { expiresAt: now + 1 }), rule('recent', { expiresAt: now - 60_000 }), rule('old', { expiresAt: now - 2 * 3600_000 })];
  assert.deepEqual(pruneRules(list, now).map((r) => r.id), ['live', 'recent']);
  const clock = new ManualClock(T0);
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  await publishRule(kv, rule('a'), T0);
  await liftRule(kv, 'z1', 'a', T0 + 2 * 3600_000);
  // lifted now: kept as recent
  assert.equal((await readRules(kv, 'z1')).length, 1);
  await publishRule(kv, rule('b', { zoneId: 'z2' }), T0);
  assert.deepEqual(Object.keys(await readDir(kv)).sort(), ['z1', 'z2']);
  await updateRules(kv, 'z2', T0, () => []);
  assert.deepEqual(Object.keys(await readDir(kv)), ['z1']);
  assert.equal(await kv.get(zoneIndexKey('z2')), undefined);
  assert.equal(await kv.get('nothing'), undefined);
  await kv.set(AUTO_DIR_KEY, 'not json');
  assert.deepEqual(await readDir(kv), {});
  await kv.close();
});
