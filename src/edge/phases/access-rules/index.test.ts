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
