import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { ZoneSchema } from '../../../config/schema.ts';
import { buildSnapshot } from '../../../config/snapshot.ts';
import type { EdgeSnapshot } from '../../../config/snapshot.ts';
import { ManualClock } from '../../../lib/clock.ts';
import { MemoryCounterStore, MemoryKeyValueStore } from '../../../state/memory/index.ts';
import type { ConfigDoc } from '../../../state/ports.ts';
import { RequestContext } from '../../pipeline/context.ts';
import type { EdgeRequest, EdgeResponse } from '../../pipeline/context.ts';
import { createRateLimitPhase } from './index.ts';

const T = '2026-01-01T00:00:00.000Z';
const ZA = 'a'.repeat(32);

function setup(rule: Record<string, unknown>, extra: ConfigDoc[] = []) {
  const clock = new ManualClock();
  const counters = new MemoryCounterStore({ clock, sweepIntervalMs: 0 });
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  const errors: string[] = [];
  const phase = createRateLimitPhase({ counters, kv, now: () => clock.now(), onError: (_z, e) => errors.push((e as Error).message), onStoreFailure: () => {} });
  const s: EdgeSnapshot = buildSnapshot(1, [
    { kind: 'zone', id: ZA, zoneId: null, name: 'a.test', modifiedOn: T, data: ZoneSchema.parse({ id: ZA, name: 'a.test', account: 'acme', created_on: T, modified_on: T }) },
    { kind: 'ratelimit_rule', id: 'rl', zoneId: ZA, name: null, modifiedOn: T, data: { id: 'rl', enabled: true, ...rule } },
    ...extra,
  ]);
  phase.onSnapshot(s);
  const ctx = (ip: string, path: string): RequestContext => {
    const req = { method: 'POST', url: path, headers: {}, rawHeaders: ['host', 'a.test'], httpVersion: '1.1', httpVersionMajor: 1 } as unknown as EdgeRequest;
    const c = new RequestContext('ray', req, {} as EdgeResponse, ip, false, 'a.test', 0);
    c.zone = s.zones.get(ZA);
    return c;
  };
  /** One exchange: the request side's verdict kind, then (when it continued) the origin answers `status`. */
  const exchange = async (ip: string, path: string, status: number): Promise<string> => {
    const c = ctx(ip, path);
    const v = await phase.onRequest!(c);
    if (v.kind === 'continue') c.originStatus = status;
    phase.onLog(c);
    await tick();
    return v.kind === 'respond' ? String(v.status) : v.kind;
  };
  return { phase, exchange, errors, clock };
}

test('counting_status_codes: only 401s on /login count; after N of them the next attempt is refused', async () => {
  const { exchange, errors, clock } = setup({ expression: 'http.request.uri.path eq "/login"', characteristics: ['ip.src'], period: 10, requests: 3, action: 'block', timeout: 0, counting_status_codes: [401] });
  // successful logins never count
  for (let i = 0; i < 10; i++) assert.equal(await exchange('127.0.0.1', '/login', 200), 'continue');
  assert.equal(await exchange('127.0.0.1', '/login', 401), 'continue');
  assert.equal(await exchange('127.0.0.1', '/login', 401), 'continue');
  assert.equal(await exchange('127.0.0.1', '/login', 401), 'continue');
  assert.equal(await exchange('127.0.0.1', '/login', 200), '429', 'three failures: the fourth attempt is stopped');
  assert.equal(await exchange('127.0.0.2', '/login', 200), 'continue', 'another client has its own count');
  assert.equal(await exchange('127.0.0.1', '/other', 401), 'continue', 'other paths are not limited');
  clock.advance(21_000);
  assert.equal(await exchange('127.0.0.1', '/login', 200), 'continue', 'the window slid past the failures');
  assert.deepEqual(errors, []);
});

test('without counting_status_codes every matching request counts on the request side', async () => {
  const { exchange } = setup({ expression: 'http.request.uri.path eq "/api"', characteristics: ['ip.src'], period: 10, requests: 2, action: 'block', timeout: 0 });
  assert.equal(await exchange('127.0.0.1', '/api', 500), 'continue');
  assert.equal(await exchange('127.0.0.1', '/api', 200), 'continue');
  assert.equal(await exchange('127.0.0.1', '/api', 200), '429');
});

test('rate-limit expressions may name the account lists', async () => {
  const list: ConfigDoc = { kind: 'rule_list', id: 'l', zoneId: null, name: 'acme/office', modifiedOn: T, data: { id: 'l', account: 'acme', name: 'office', kind: 'ip', description: '', items: [{ id: 'i', ip: '127.0.5.0/24', created_on: T, modified_on: T }], created_on: T, modified_on: T } };
  const { exchange, errors } = setup({ expression: 'not ip.src in $office', characteristics: ['ip.src'], period: 10, requests: 1, action: 'block', timeout: 0 }, [list]);
  assert.equal(await exchange('127.0.5.1', '/', 200), 'continue');
  assert.equal(await exchange('127.0.5.1', '/', 200), 'continue');
  assert.equal(await exchange('127.0.0.1', '/', 200), 'continue');
  assert.equal(await exchange('127.0.0.1', '/', 200), '429');
  assert.deepEqual(errors, []);
});
