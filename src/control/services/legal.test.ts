import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteConfigStore } from '../../state/sqlite/config-store.ts';
import { ZoneService } from './zones.ts';
import { LegalService, parsePeriod, transparencyReport } from './legal.ts';
import type { LegalOrder } from './legal.ts';
import { ApiError } from '../api/errors.ts';
import { findOrder, normalisePath, orderInForce } from '../../config/legal.ts';
import { sha256Hex } from './audit.ts';

const DOC = Buffer.from('order text').toString('base64');
const base = { zone: 'shop.test', court: 'Test District Court', case: 'CV-2026-1', date: '2026-11-01', jurisdiction: 'DE', document_base64: DOC, document_name: 'order.pdf' };

async function setup(): Promise<{ legal: LegalService; store: SqliteConfigStore; dir: string; clock: { t: Date }; published: () => number }> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-legal-'));
  const store = new SqliteConfigStore(':memory:');
  let n = 0;
  const publish = async (): Promise<void> => { n++; };
  const zones = new ZoneService(store, publish);
  await zones.create({ name: 'shop.test', origins: ['127.0.0.1:1'] });
  const clock = { t: new Date('2026-11-02T12:00:00Z') };
  return { legal: new LegalService(store, zones, publish, join(dir, 'docs'), () => clock.t), store, dir, clock, published: () => n };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { assert.ok(e instanceof ApiError); assert.equal(e.status, 400); return e.message; }
  assert.fail('accepted');
}

test('a missing required field is refused with a message naming it', async () => {
  const s = await setup();
  try {
    for (const k of ['zone', 'court', 'case', 'date', 'jurisdiction', 'document_base64'] as const) {
      const body: Record<string, unknown> = { ...base };
      delete body[k];
      assert.match(await refusal(s.legal.create(body)), new RegExp(`"${k}"`), k);
    }
    assert.match(await refusal(s.legal.create({ ...base, date: '2026-13-40' })), /body\.date/);
    assert.match(await refusal(s.legal.create({ ...base, jurisdiction: 'Germany' })), /body\.jurisdiction/);
    assert.match(await refusal(s.legal.create({ ...base, paths: ['banned'] })), /body\.paths/);
    assert.match(await refusal(s.legal.create({ ...base, hostnames: ['other.test'] })), /body\.hostnames.*not in zone/);
    assert.match(await refusal(s.legal.create({ ...base, colour: 'red' })), /body\.colour/);
    assert.equal((await s.legal.list()).length, 0);
  } finally { await s.store.close(); rmSync(s.dir, { recursive: true, force: true }); }
});

test('an order is stored zone-owned with its document hash; lifting needs a reason and keeps the record', async () => {
  const s = await setup();
  try {
    const o = await s.legal.create({ ...base, paths: '/banned,/x', jurisdiction: ['de', 'AT'] });
    assert.equal(o.document.sha256, sha256Hex(Buffer.from('order text')));
    assert.equal(readFileSync(join(s.dir, 'docs', o.document.sha256), 'utf8'), 'order text');
    assert.deepEqual(o.paths, ['/banned', '/x']);
    assert.deepEqual(o.jurisdiction, ['DE', 'AT']);
    assert.equal(o.status, 'in_force');
    const doc = await s.store.get('legal_order', o.id);
    assert.equal(doc?.zoneId, o.zone_id);
    assert.equal(s.published(), 2); // zone + order
    assert.match(await refusal(s.legal.lift(o.id, {})), /reason/);
    s.clock.t = new Date('2026-11-05T00:00:00Z');
    const l = await s.legal.lift(o.id, { reason: 'appeal granted' });
    assert.equal(l.status, 'lifted');
    assert.equal(l.lift_reason, 'appeal granted');
    assert.equal(l.lifted_at, '2026-11-05T00:00:00.000Z');
    assert.equal((await s.legal.get(o.id)).status, 'lifted');
    await assert.rejects(s.legal.lift(o.id, { reason: 'again' }), /already lifted/);
  } finally { await s.store.close(); rmSync(s.dir, { recursive: true, force: true }); }
});

function order(p: Partial<LegalOrder> = {}): LegalOrder {
  return {
    id: 'o1', zone_id: 'z', zone: 'shop.test', court: 'Court <A>', case: 'C-1', date: '2026-11-01', jurisdiction: ['DE'],
    document: { name: 'd', sha256: 'a'.repeat(64), size: 1 }, hostnames: [], paths: [], geo: false, expires: null,
    status: 'in_force', received_at: '2026-11-01T10:00:00.000Z', lifted_at: null, lift_reason: null, ...p,
  };
}
const NOW = Date.parse('2026-11-02T00:00:00Z');

test('scope: whole zone, hostnames, path prefixes on segment boundaries, normalised paths', () => {
  assert.ok(findOrder([order()], 'shop.test', '/anything', undefined, NOW));
  const byPath = [order({ paths: ['/banned'] })];
  for (const u of ['/banned', '/banned/', '/banned/x?q=1', '/%62anned', '//banned', '/a/../banned', '/./banned/y']) assert.ok(findOrder(byPath, 'shop.test', u, undefined, NOW), u);
  for (const u of ['/', '/fine', '/bannedx', '/Banned', '/x/banned']) assert.equal(findOrder(byPath, 'shop.test', u, undefined, NOW), undefined, u);
  const byHost = [order({ hostnames: ['www.shop.test'] })];
  assert.ok(findOrder(byHost, 'www.shop.test', '/', undefined, NOW));
  assert.equal(findOrder(byHost, 'shop.test', '/', undefined, NOW), undefined);
  assert.equal(normalisePath('/a%2Fb'), '/a%2Fb');
});

test('geo-scoped orders apply only to clients whose country is known to be in the jurisdiction', () => {
  const geo = [order({ geo: true, jurisdiction: ['DE', 'AT'] })];
  assert.ok(findOrder(geo, 'shop.test', '/', 'DE', NOW));
  assert.ok(findOrder(geo, 'shop.test', '/', 'at', NOW));
  assert.equal(findOrder(geo, 'shop.test', '/', 'FR', NOW), undefined);
  assert.equal(findOrder(geo, 'shop.test', '/', undefined, NOW), undefined);
});

test('lifted and expired orders no longer apply; the expiry day is inclusive', () => {
  assert.equal(orderInForce(order({ status: 'lifted' }), NOW), false);
  const e = order({ expires: '2026-11-02' });
  assert.equal(orderInForce(e, Date.parse('2026-11-02T23:59:59Z')), true);
  assert.equal(orderInForce(e, Date.parse('2026-11-03T00:00:00Z')), false);
});

test('transparency report: counts by jurisdiction and authority per period, notices without documents', () => {
  const os = [
    order({ id: 'a', jurisdiction: ['DE'], court: 'K1', received_at: '2026-08-01T00:00:00.000Z' }),
    order({ id: 'b', jurisdiction: ['DE', 'AT'], court: 'K2', received_at: '2026-09-01T00:00:00.000Z', status: 'lifted', lifted_at: '2026-10-01T00:00:00.000Z', lift_reason: 'r' }),
    order({ id: 'c', jurisdiction: ['FR'], court: 'K1', received_at: '2026-03-01T00:00:00.000Z' }),
  ];
  const r = transparencyReport(os, '2026-H2', Date.parse('2026-12-01T00:00:00Z'));
  assert.equal(r.orders.received, 2);
  assert.equal(r.orders.lifted, 1);
  assert.equal(r.orders.in_force, 2); // a, and c (received in H1, still in force)
  assert.deepEqual(r.orders.by_jurisdiction['DE'], { received: 2, in_force: 1, lifted: 1 });
  assert.deepEqual(r.orders.by_authority['K1'], { received: 1, in_force: 2, lifted: 0 });
  assert.deepEqual(r.notices.map((n) => n.id).sort(), ['a', 'b', 'c']);
  assert.doesNotMatch(JSON.stringify(r), /document_base64|received_at/);
  assert.deepEqual(parsePeriod('2026-Q4'), { start: Date.UTC(2026, 9, 1), end: Date.UTC(2027, 0, 1) });
  assert.throws(() => parsePeriod('2026-H3'), /period/);
});
