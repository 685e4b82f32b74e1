import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../lib/clock.ts';
import { signClearance, verifyClearance } from './clearance-cookie.ts';
import { loadOrCreateKeyRing, pruneKeyRing, rotateKeyRing } from './key-ring-store.ts';
import { CountingRandom } from './test-support.ts';

class MapStore {
  readonly m = new Map<string, string>();
  async get(k: string) { return this.m.get(k); }
  async set(k: string, v: string) { this.m.set(k, v); }
  async setIfAbsent(k: string, v: string) { if (this.m.has(k)) return false; this.m.set(k, v); return true; }
}

test('the ring survives a restart, rotation keeps live clearances, pruning ends them', async () => {
  const store = new MapStore();
  const random = new CountingRandom();
  const clock = new ManualClock();
  const first = await loadOrCreateKeyRing(store, random);
  const second = await loadOrCreateKeyRing(store, random); // another worker / a restart
  assert.deepEqual(second.toJSON(), first.toJSON());
  const cookie = signClearance({ zone: 'z', ip: '192.0.2.1', ua: 'ua', policyId: 'p', now: clock.now() }, first);
  const ctx = { now: clock.now(), zone: 'z', ip: '192.0.2.1', ua: 'ua', policyId: 'p' };

  const rotated = await rotateKeyRing(store, first, random);
  assert.equal(rotated.primaryId, 'k2');
  const reloaded = await loadOrCreateKeyRing(store, random);
  assert.equal(reloaded.primaryId, 'k2');
  assert.equal(verifyClearance(cookie, { ...ctx, keyRing: reloaded }).ok, true);
  const newCookie = signClearance({ zone: 'z', ip: '192.0.2.1', ua: 'ua', policyId: 'p', now: clock.now() }, reloaded);
  assert.ok(newCookie.startsWith('v1.k2.'));

  const pruned = await pruneKeyRing(store, reloaded);
  const afterPrune = await loadOrCreateKeyRing(store, random);
  assert.deepEqual(afterPrune.ids(), ['k2']);
  assert.deepEqual(verifyClearance(cookie, { ...ctx, keyRing: pruned }), { ok: false, reason: 'bad_signature' });
  assert.equal(verifyClearance(newCookie, { ...ctx, keyRing: afterPrune }).ok, true);
});

test('two workers racing to create the ring end up with the same one', async () => {
  // Different randomness on each side, so the two candidate rings differ and only one may win.
  const store2 = new MapStore();
  const r1 = new CountingRandom();
  const r2 = new CountingRandom();
  r2.bytes(1);
  const [c, d] = await Promise.all([loadOrCreateKeyRing(store2, r1), loadOrCreateKeyRing(store2, r2)]);
  assert.deepEqual(c.toJSON(), d.toJSON());
  assert.deepEqual(c.toJSON(), JSON.parse(store2.m.get('chal:keyring') ?? 'null'));
});
