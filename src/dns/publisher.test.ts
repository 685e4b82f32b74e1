import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../lib/clock.ts';
import { answer } from './answer.ts';
import { DnsPublisher } from './publisher.ts';
import { DnsZoneError } from './snapshot.ts';
import { EDGE, shopZone } from './test-fixture.ts';

const NOV25 = Date.UTC(2026, 10, 25, 12);

function soaSerial(p: DnsPublisher): number {
  const r = answer(p.getSnapshot(), { id: 1, questions: [{ name: 'shop.test', type: 'SOA' }] }, { address: '127.0.0.1', transport: 'tcp' });
  const soa = r.answers?.[0];
  return soa?.type === 'SOA' ? (soa.data.serial ?? -1) : -1;
}

test('publisher advances the serial on every change and notifies secondaries', async () => {
  const clock = new ManualClock(NOV25);
  const sent: Array<[string, number, readonly string[]]> = [];
  const p = new DnsPublisher({
    ...EDGE,
    clock,
    secondaries: (z) => (z === 'shop.test' ? ['192.0.2.53'] : []),
    notify: async (zone, serial, targets) => {
      sent.push([zone, serial, targets]);
      return targets.map((target) => ({ target, ok: true, rcode: 'NOERROR' }));
    },
  });
  const z = { ...shopZone(), serial: 0 };
  const r1 = p.publish([z]);
  assert.equal(r1.serials['shop.test'], 2026112500);
  assert.deepEqual(r1.changed, ['shop.test']);
  assert.equal(soaSerial(p), 2026112500);
  await r1.notified;
  assert.deepEqual(sent, [['shop.test', 2026112500, ['192.0.2.53']]]);

  const same = p.publish([z]);
  assert.equal(same.serials['shop.test'], 2026112500, 'no change, no new serial');
  assert.deepEqual(same.changed, []);

  const z2 = { ...z, records: [...z.records, { id: 'n', type: 'A' as const, name: 'new', content: '192.0.2.9' }] };
  const r2 = p.publish([z2]);
  assert.equal(r2.serials['shop.test'], 2026112501);
  await r2.notified;
  assert.equal(sent.length, 2);
  clock.advance(86_400_000);
  const r3 = p.publish([{ ...z2, records: z.records }]);
  assert.equal(r3.serials['shop.test'], 2026112600, 'next day');
  assert.equal(soaSerial(p), 2026112600);
  const gone = p.publish([]);
  assert.deepEqual(gone.removed, ['shop.test']);
});

test('publisher keeps the old snapshot when a zone is invalid', () => {
  const p = new DnsPublisher(EDGE);
  p.publish([shopZone()]);
  const before = p.getSnapshot();
  const bad = shopZone();
  bad.records.push({ id: 'x', type: 'A', name: 'alias', content: '192.0.2.1' });
  assert.throws(() => p.publish([bad]), DnsZoneError);
  assert.equal(p.getSnapshot(), before);
  assert.equal(p.serialOf('shop.test'), shopZone().serial);
});
