/**
 * Contract suite for SecurityEventStore. `make` returns a fresh, empty store. Pinned semantics: a query is scoped
 * to one zone and filters by ray, source and client IP (exact) and by time (`since` inclusive, `until` exclusive);
 * results come newest first (for equal times, the later appended first); `limit` defaults to 100; `prune(before)`
 * deletes the events with time < before and says how many; every field round-trips, `details` as JSON.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SecurityEvent, SecurityEventStore } from '../ports.ts';

export interface SecurityEventStoreFixture {
  store: SecurityEventStore;
  close(): Promise<void>;
}

const T0 = 1_760_000_000_000;

function ev(i: number, over: Partial<SecurityEvent> = {}): SecurityEvent {
  return {
    ray: `ray${i}`,
    zoneId: 'z1',
    time: T0 + i * 1000,
    clientIp: i % 2 === 0 ? '192.0.2.1' : '2001:db8::7',
    method: 'GET',
    host: 'a.example',
    path: `/p/${i}`,
    query: i % 3 === 0 ? '' : `?q=${i}`,
    userAgent: 'curl/8',
    action: 'block',
    source: i % 3 === 0 ? 'waf' : 'firewall',
    ruleId: i % 5 === 0 ? null : `rule-${i}`,
    reason: 'waf.block',
    status: 403,
    details: { i, matched: [{ id: 942100, msg: 'SQL injection ünïcödé', data: "' OR 1=1" }] },
    ...over,
  };
}

const rays = (events: readonly SecurityEvent[]): string[] => events.map((e) => e.ray);

export function securityEventStoreContract(name: string, make: () => Promise<SecurityEventStoreFixture>): void {
  const withStore = (fn: (f: SecurityEventStoreFixture) => Promise<void>) => async () => {
    const f = await make();
    try {
      await fn(f);
    } finally {
      await f.close();
    }
  };

  describe(`SecurityEventStore contract: ${name}`, () => {
    it('appends a batch and returns it newest first with every field intact', withStore(async ({ store }) => {
      assert.deepEqual(await store.query({ zoneId: 'z1' }), []);
      await store.append([]);
      const batch = [ev(1), ev(2), ev(3), ev(5)];
      await store.append(batch);
      const got = await store.query({ zoneId: 'z1' });
      assert.deepEqual(got, [...batch].reverse());
      assert.equal(got[0]?.ruleId, null);
      await store.append([ev(4)]);
      assert.deepEqual(rays(await store.query({ zoneId: 'z1' })), ['ray5', 'ray4', 'ray3', 'ray2', 'ray1']);
    }));

    it('orders by time, not by arrival; equal times put the later appended first', withStore(async ({ store }) => {
      await store.append([ev(3), ev(1)]);
      await store.append([ev(2), ev(9, { ray: 'same-a', time: T0 + 5000 }), ev(9, { ray: 'same-b', time: T0 + 5000 })]);
      assert.deepEqual(rays(await store.query({ zoneId: 'z1' })), ['same-b', 'same-a', 'ray3', 'ray2', 'ray1']);
    }));

    it('scopes to the zone and filters by ray, source, client IP and time', withStore(async ({ store }) => {
      const events = Array.from({ length: 12 }, (_, i) => ev(i + 1));
      await store.append([...events, ev(100, { zoneId: 'z2', ray: 'other-zone', source: 'waf', clientIp: '192.0.2.1' })]);
      assert.equal((await store.query({ zoneId: 'z1' })).length, 12);
      assert.deepEqual(rays(await store.query({ zoneId: 'z2' })), ['other-zone']);
      assert.deepEqual(await store.query({ zoneId: 'z3' }), []);
      assert.deepEqual(rays(await store.query({ zoneId: 'z1', ray: 'ray7' })), ['ray7']);
      assert.deepEqual(await store.query({ zoneId: 'z1', ray: 'other-zone' }), []);
      assert.deepEqual(rays(await store.query({ zoneId: 'z1', source: 'waf' })), ['ray12', 'ray9', 'ray6', 'ray3']);
      assert.deepEqual(rays(await store.query({ zoneId: 'z1', clientIp: '2001:db8::7' })), ['ray11', 'ray9', 'ray7', 'ray5', 'ray3', 'ray1']);
      assert.deepEqual(rays(await store.query({ zoneId: 'z1', since: T0 + 10_000 })), ['ray12', 'ray11', 'ray10']);
      assert.deepEqual(rays(await store.query({ zoneId: 'z1', until: T0 + 3000 })), ['ray2', 'ray1']);
      assert.deepEqual(rays(await store.query({ zoneId: 'z1', since: T0 + 4000, until: T0 + 7000 })), ['ray6', 'ray5', 'ray4']);
      assert.deepEqual(rays(await store.query({ zoneId: 'z1', source: 'waf', clientIp: '2001:db8::7', since: T0 + 4000 })), ['ray9']);
      assert.deepEqual(await store.query({ zoneId: 'z1', since: T0 + 7000, until: T0 + 7000 }), []);
    }));

    it('limits the answer (default 100), keeping the newest', withStore(async ({ store }) => {
      await store.append(Array.from({ length: 130 }, (_, i) => ev(i + 1)));
      assert.deepEqual(rays(await store.query({ zoneId: 'z1', limit: 3 })), ['ray130', 'ray129', 'ray128']);
      const dflt = await store.query({ zoneId: 'z1' });
      assert.equal(dflt.length, 100);
      assert.equal(dflt[99]?.ray, 'ray31');
      assert.deepEqual(rays(await store.query({ zoneId: 'z1', source: 'waf', limit: 2 })), ['ray129', 'ray126']);
    }));

    it('takes a large batch in one append', withStore(async ({ store }) => {
      const n = 2500;
      await store.append(Array.from({ length: n }, (_, i) => ev(i + 1, { details: { i, big: 'x'.repeat(50) } })));
      assert.equal((await store.query({ zoneId: 'z1', limit: 10_000 })).length, n);
      const [one] = await store.query({ zoneId: 'z1', ray: 'ray1234' });
      assert.deepEqual(one, ev(1234, { details: { i: 1233, big: 'x'.repeat(50) } }));
    }));

    it('prune deletes events older than the cut-off and says how many', withStore(async ({ store }) => {
      await store.append([...Array.from({ length: 10 }, (_, i) => ev(i + 1)), ev(3, { zoneId: 'z2', ray: 'z2-old' })]);
      assert.equal(await store.prune(T0 + 4000), 4, 'times 1000, 2000, 3000 in z1 and 3000 in z2');
      assert.deepEqual(rays(await store.query({ zoneId: 'z1' })), ['ray10', 'ray9', 'ray8', 'ray7', 'ray6', 'ray5', 'ray4']);
      assert.deepEqual(await store.query({ zoneId: 'z2' }), []);
      assert.equal(await store.prune(T0 + 4000), 0);
      assert.equal(await store.prune(T0 + 1_000_000), 7);
      assert.deepEqual(await store.query({ zoneId: 'z1' }), []);
    }));
  });
}
