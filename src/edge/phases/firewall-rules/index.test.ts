import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZoneSchema } from '../../../config/schema.ts';
import { buildSnapshot } from '../../../config/snapshot.ts';
import type { EdgeSnapshot } from '../../../config/snapshot.ts';
import type { ConfigDoc } from '../../../state/ports.ts';
import { RequestContext } from '../../pipeline/context.ts';
import type { EdgeRequest, EdgeResponse } from '../../pipeline/context.ts';
import { createFirewallRulesPhase, RULE_LIST_KIND, ACCOUNT_FIREWALL_RULE_KIND } from './index.ts';

const T = '2026-01-01T00:00:00.000Z';
const zoneDoc = (id: string, name: string, account: string): ConfigDoc =>
  ({ kind: 'zone', id, zoneId: null, name, modifiedOn: T, data: ZoneSchema.parse({ id, name, account, created_on: T, modified_on: T }) });
const doc = (kind: string, id: string, zoneId: string | null, data: unknown, modifiedOn = T): ConfigDoc => ({ kind, id, zoneId, name: null, data, modifiedOn });
const list = (id: string, account: string, name: string, kind: string, items: unknown[], modifiedOn = T): ConfigDoc =>
  ({ ...doc(RULE_LIST_KIND, id, null, { id, account, name, kind, description: '', items, created_on: T, modified_on: T }, modifiedOn), name: `${account}/${name}` });

const ZA = 'a'.repeat(32), ZB = 'b'.repeat(32), ZC = 'c'.repeat(32);

function ctxFor(s: EdgeSnapshot, zoneId: string, ip: string, path: string): RequestContext {
  const req = { method: 'GET', url: path, headers: {}, rawHeaders: ['host', 'x.test'], httpVersion: '1.1', httpVersionMajor: 1 } as unknown as EdgeRequest;
  const ctx = new RequestContext('ray', req, {} as EdgeResponse, ip, false, 'x.test', 0);
  ctx.zone = s.zones.get(zoneId);
  return ctx;
}

test('account rules apply to every zone of the account, before the zone rules; lists resolve per account', () => {
  const errors: string[] = [];
  const phase = createFirewallRulesPhase((_z, e) => errors.push((e as Error).message));
  const docs: ConfigDoc[] = [
    zoneDoc(ZA, 'a.test', 'acme'), zoneDoc(ZB, 'b.test', 'acme'), zoneDoc(ZC, 'c.test', 'other'),
    list('l1', 'acme', 'office_ips', 'ip', [{ id: 'i1', ip: '127.0.5.0/24', created_on: T, modified_on: T }]),
    list('l2', 'other', 'office_ips', 'ip', [{ id: 'i2', ip: '127.0.6.0/24', created_on: T, modified_on: T }]),
    doc(ACCOUNT_FIREWALL_RULE_KIND, 'acct-block', null, { account: 'acme', id: 'acct-block', expression: 'http.request.uri.path eq "/admin" and not ip.src in $office_ips', action: 'block', enabled: true }),
    // a zone rule that would allow /admin: the account rule runs first and wins
    doc('firewall_rule', 'zone-allow', ZA, { id: 'zone-allow', expression: 'http.request.uri.path eq "/admin"', action: 'allow', enabled: true }),
    doc('firewall_rule', 'zone-c', ZC, { id: 'zone-c', expression: 'http.request.uri.path eq "/admin" and not ip.src in $office_ips', action: 'block', enabled: true }),
  ];
  const s = buildSnapshot(1, docs);
  phase.onSnapshot(s);
  const v = (z: string, ip: string, p: string) => phase.onRequest(ctxFor(s, z, ip, p));
  assert.deepEqual(v(ZA, '127.0.0.1', '/admin'), { kind: 'respond', status: 403, reason: 'firewall.block', ruleId: 'acct-block' });
  assert.deepEqual(v(ZB, '127.0.0.1', '/admin'), { kind: 'respond', status: 403, reason: 'firewall.block', ruleId: 'acct-block' }, 'zone B has no rules of its own');
  assert.equal(v(ZA, '127.0.5.3', '/admin').kind, 'continue', "the account's office list");
  assert.equal(v(ZC, '127.0.5.3', '/admin').kind, 'respond', "another account's list of the same name does not apply");
  assert.equal(v(ZC, '127.0.6.3', '/admin').kind, 'continue');
  assert.deepEqual(errors, []);

  // a list change reaches the compiled rules in the next snapshot
  const s2 = buildSnapshot(2, docs.map((d) => (d.id === 'l1' ? list('l1', 'acme', 'office_ips', 'ip', [{ id: 'i3', ip: '127.0.7.0/24', created_on: T, modified_on: T }], '2026-01-02T00:00:00.000Z') : d)));
  phase.onSnapshot(s2);
  assert.equal(phase.onRequest(ctxFor(s2, ZA, '127.0.5.3', '/admin')).kind, 'respond');
  assert.equal(phase.onRequest(ctxFor(s2, ZA, '127.0.7.3', '/admin')).kind, 'continue');
});

test('a rule naming a list that does not exist is reported and left out; the others still run', () => {
  const errors: string[] = [];
  const phase = createFirewallRulesPhase((_z, e) => errors.push((e as Error).message));
  const s = buildSnapshot(1, [
    zoneDoc(ZA, 'a.test', 'acme'),
    doc('firewall_rule', 'r1', ZA, { id: 'r1', expression: 'ip.src in $gone', action: 'block', enabled: true }),
    doc('firewall_rule', 'r2', ZA, { id: 'r2', expression: 'http.request.uri.path eq "/x"', action: 'block', enabled: true }),
  ]);
  phase.onSnapshot(s);
  assert.equal(phase.onRequest(ctxFor(s, ZA, '127.0.0.1', '/y')).kind, 'continue');
  assert.equal(phase.onRequest(ctxFor(s, ZA, '127.0.0.1', '/x')).kind, 'respond');
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /unknown list \$gone/);
});
