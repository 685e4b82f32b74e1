import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GeoIp, parseGeoCsv } from '../../../lib/geoip/index.ts';
import { RequestContext } from '../../pipeline/context.ts';
import type { EdgeRequest, EdgeResponse } from '../../pipeline/context.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import { annotateGeo, withGeo, COUNTRY_NOTE, ASN_NOTE } from './index.ts';

const ctx = (ip: string): RequestContext => new RequestContext('ray', { method: 'GET', url: '/', headers: {}, rawHeaders: [] } as unknown as EdgeRequest, {} as EdgeResponse, ip, false, 'x.test', 0);
const geo = new GeoIp({ country: parseGeoCsv('127.0.9.0/24,,FR,64496\n') });

test('annotateGeo sets country and asn once; nothing without a database', () => {
  const c = ctx('127.0.9.1');
  annotateGeo(c, geo);
  assert.equal(c.notes.get(COUNTRY_NOTE), 'FR');
  assert.equal(c.notes.get(ASN_NOTE), 64496);
  const u = ctx('127.0.0.1');
  annotateGeo(u, geo);
  assert.equal(u.notes.get(COUNTRY_NOTE), 'XX');
  assert.equal(u.notes.get(ASN_NOTE), 0);
  const none = ctx('127.0.9.1');
  annotateGeo(none, new GeoIp());
  assert.equal(none.notes.has(COUNTRY_NOTE), false);
});

test('withGeo: the wrapped phase sees the notes, keeps its name and its other hooks', () => {
  let seen: unknown;
  let logged = 0;
  const inner: Phase = {
    name: 'legal',
    onRequest(c): Verdict { seen = c.notes.get(COUNTRY_NOTE); return { kind: 'continue' }; },
    onLog() { logged++; },
  };
  const p = withGeo(inner, () => geo);
  assert.equal(p.name, 'legal');
  assert.deepEqual(p.onRequest!(ctx('127.0.9.7')), { kind: 'continue' });
  assert.equal(seen, 'FR');
  p.onLog!(ctx('127.0.9.7'));
  assert.equal(logged, 1);
  assert.equal(p.onSnapshot, undefined);
});

test('account-wide access rules apply to every zone of the account, after the zone rules', async () => {
  const { ZoneSchema } = await import('../../../config/schema.ts');
  const { buildSnapshot } = await import('../../../config/snapshot.ts');
  const { createAccessRulesPhase } = await import('./index.ts');
  const T = '2026-01-01T00:00:00.000Z';
  const ZA = 'a'.repeat(32), ZB = 'b'.repeat(32);
  const zone = (id: string, name: string, account: string) => ({ kind: 'zone', id, zoneId: null, name, modifiedOn: T, data: ZoneSchema.parse({ id, name, account, created_on: T, modified_on: T }) });
  const s = buildSnapshot(1, [
    zone(ZA, 'a.test', 'acme'), zone(ZB, 'b.test', 'other'),
    { kind: 'account_access_rule', id: 'acc', zoneId: null, name: null, modifiedOn: T, data: { account: 'acme', id: 'acc', mode: 'block', target: 'cidr', value: '127.0.30.0/24' } },
    { kind: 'access_rule', id: 'z-allow', zoneId: ZA, name: null, modifiedOn: T, data: { id: 'z-allow', mode: 'allow', target: 'ip', value: '127.0.30.7' } },
  ]);
  const errors: string[] = [];
  const phase = createAccessRulesPhase((_z, e) => errors.push((e as Error).message), () => new GeoIp());
  phase.onSnapshot(s);
  const run = (zid: string, ip: string) => { const c = ctx(ip); c.zone = s.zones.get(zid); return phase.onRequest!(c) as Verdict; };
  assert.deepEqual(run(ZA, '127.0.30.1'), { kind: 'respond', status: 403, reason: 'access.block', ruleId: 'acc' });
  assert.equal(run(ZA, '127.0.30.7').kind, 'continue', "the zone's own allow comes first");
  assert.equal(run(ZB, '127.0.30.1').kind, 'continue', 'another account is not affected');
  assert.equal(run(ZA, '127.0.31.1').kind, 'continue');
  assert.deepEqual(errors, []);
});
