import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { ManualClock } from '../../../lib/clock.ts';
import { MemoryKeyValueStore } from '../../../state/memory/index.ts';
import { publishRule } from '../../../mitigation/auto/index.ts';
import type { AutoRule } from '../../../mitigation/auto/index.ts';
import { Router } from '../router.ts';
import type { ApiRequest } from '../router.ts';
import type { ZoneService } from '../../services/zones.ts';
import { registerAutoMitigationRoutes } from './auto-mitigation.ts';

const T0 = 1_700_000_000_000;
const ZONE = 'a'.repeat(32);

async function call(r: Router, method: string, path: string): Promise<{ status: number; result: unknown }> {
  const m = r.match(method, path);
  assert.ok('route' in m);
  const req = { method, path, params: m.params, query: new URLSearchParams(), raw: undefined, body: undefined, auth: { kind: 'admin', subject: 't' } } as unknown as ApiRequest;
  try {
    const out = await m.route.handler(req, undefined as unknown as ServerResponse);
    return { status: 200, result: out.kind === 'json' ? out.result : undefined };
  } catch (e) { return { status: (e as { status: number }).status, result: undefined }; }
}

test('GET lists active and recent rules; DELETE lifts an active one; permissions as documented', async () => {
  const clock = new ManualClock(T0);
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  const zones = { get: async (id: string) => ({ id, settings: { auto_mitigation: 'on' } }) } as unknown as ZoneService;
  const router = new Router();
  registerAutoMitigationRoutes(router, zones, kv, () => clock.now());
  const perms = router.routes.map((x) => [x.method, x.path, x.permission]);
  assert.deepEqual(perms, [
    ['GET', '/client/v4/zones/:id/mitigation/auto', 'zone:read'],
    ['DELETE', '/client/v4/zones/:id/mitigation/auto/:ruleId', 'firewall:edit'],
  ]);
  const base: AutoRule = { id: 'auto_1', zoneId: ZONE, signal: 'rate', signalDetail: 'rate 9x baseline', segment: { dim: 'fingerprint', key: '0badf00d', share: 0.8, sample: 'Host,Accept 1.1' }, action: 'challenge', reason: 'signal: rate 9x baseline; …', mode: 'on', createdAt: T0, expiresAt: T0 + 300_000 };
  await publishRule(kv, base, T0);
  await publishRule(kv, { ...base, id: 'auto_2', segment: null, action: 'security_level', level: 'high', expiresAt: T0 + 10_000 }, T0);
  clock.advance(20_000);
  const list = (await call(router, 'GET', `/client/v4/zones/${ZONE}/mitigation/auto`)).result as { mode: string; active: Array<Record<string, unknown>>; recent: Array<Record<string, unknown>> };
  assert.equal(list.mode, 'on');
  assert.deepEqual(list.active, [{
    id: 'auto_1', status: 'active', signal: 'rate', signal_detail: 'rate 9x baseline',
    segment: { dimension: 'fingerprint', value: '0badf00d', share_of_surge: 0.8, label: 'fingerprint="0badf00d"', sample: 'Host,Accept 1.1' },
    action: 'challenge', mode: 'on', reason: 'signal: rate 9x baseline; …', created_on: new Date(T0).toISOString(), expires_on: new Date(T0 + 300_000).toISOString(),
  }]);
  assert.equal(list.recent.length, 1);
  assert.equal(list.recent[0]!['status'], 'expired');
  assert.equal(list.recent[0]!['security_level'], 'high');
  const del = await call(router, 'DELETE', `/client/v4/zones/${ZONE}/mitigation/auto/auto_1`);
  assert.equal(del.status, 200);
  assert.equal((del.result as Record<string, unknown>)['lifted_on'], new Date(T0 + 20_000).toISOString());
  assert.equal((await call(router, 'DELETE', `/client/v4/zones/${ZONE}/mitigation/auto/auto_1`)).status, 404);
  assert.equal((await call(router, 'DELETE', `/client/v4/zones/${ZONE}/mitigation/auto/auto_2`)).status, 404, 'an expired rule cannot be lifted');
  const after = (await call(router, 'GET', `/client/v4/zones/${ZONE}/mitigation/auto`)).result as { active: unknown[]; recent: Array<Record<string, unknown>> };
  assert.deepEqual(after.active, []);
  assert.deepEqual(after.recent.map((x) => [x['id'], x['status']]), [['auto_1', 'lifted'], ['auto_2', 'expired']]);
  await kv.close();
});
