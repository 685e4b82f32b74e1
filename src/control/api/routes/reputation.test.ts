import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../../lib/clock.ts';
import { Reputation, SHARED_REPUTATION_OPTIONS, createReputationReader } from '../../../reputation/index.ts';
import { MemoryKeyValueStore } from '../../../state/index.ts';
import { createLogger } from '../../../telemetry/logger.ts';
import { Router } from '../router.ts';
import type { TokenScope } from '../router.ts';
import { AdminServer } from '../server.ts';
import { registerReputationRoutes } from './reputation.ts';

const ADMIN = 'admin-token-0123456789abcdef';
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

interface Body { success: boolean; errors: Array<{ code: number; message: string }>; result: { ip: string; subject: string; score: number; prefix: string | null; prefix_score: number | null; challenged_at: string[]; events: Array<{ kind: string; weight: number; count: number; time: string }>; prefix_events: unknown[] } }

describe('GET /client/v4/reputation/ips/:ip', () => {
  const clock = new ManualClock(T0);
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  // the edge's writer (same shared options), the control plane's reader: only the store in common
  const edge = new Reputation({ kv, clock, flushIntervalMs: 0, ...SHARED_REPUTATION_OPTIONS });
  const router = new Router();
  registerReputationRoutes(router, createReputationReader(kv, clock));
  const scoped: TokenScope = { id: 't', account: 'default', permissions: new Set(['account:admin']), zones: 'account', expiresOn: null };
  const admin = new AdminServer({ token: ADMIN, logger: createLogger({ level: 'silent' }), router, verifyToken: async (s) => (s === 'scoped-token' ? scoped : undefined) });
  let base = '';
  before(async () => { base = `http://127.0.0.1:${await admin.listen('127.0.0.1', 0)}`; });
  after(async () => { await admin.close(); await edge.close(); });

  const get = async (path: string, token = ADMIN): Promise<{ status: number; body: Body }> => {
    const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json() as Body };
  };

  it('shows the score, the /24 score, the levels that challenge it and the events behind it', async () => {
    await edge.record('198.51.100.7', 'waf_block');
    clock.advance(1000);
    await edge.record('198.51.100.7', 'challenge_failed');
    await edge.record('198.51.100.99', 'h2_abuse');
    const { status, body } = await get('/client/v4/reputation/ips/198.51.100.7');
    assert.equal(status, 200, JSON.stringify(body.errors));
    const r = body.result;
    assert.equal(r.subject, '198.51.100.7/32');
    assert.equal(r.prefix, '198.51.100.0/24');
    assert.ok(r.score > 24 && r.score <= 25, String(r.score));
    assert.ok(r.prefix_score !== null && r.prefix_score > r.score + 24);
    assert.ok(r.challenged_at.includes('medium') && r.challenged_at.includes('under_attack'));
    assert.deepEqual(r.events, [
      { kind: 'challenge_failed', weight: 15, count: 1, time: new Date(T0 + 1000).toISOString() },
      { kind: 'waf_block', weight: 10, count: 1, time: new Date(T0).toISOString() },
    ]);
    assert.equal(r.prefix_events.length, 3);
  });

  it('an unknown address scores 0 with no events; IPv6 works; bad input is a 400', async () => {
    const z = await get('/client/v4/reputation/ips/192.0.2.1');
    assert.deepEqual([z.body.result.score, z.body.result.events], [0, []]);
    const v6 = await get('/client/v4/reputation/ips/2001:db8::1');
    assert.equal(v6.status, 200);
    assert.equal(v6.body.result.subject, '2001:db8::/64');
    assert.equal((await get('/client/v4/reputation/ips/not-an-ip')).status, 400);
    assert.equal((await get('/client/v4/reputation/ips/192.0.2.1?limit=0')).status, 400);
  });

  it('is operator-only: a scoped token, even account:admin, is refused', async () => {
    assert.equal((await get('/client/v4/reputation/ips/192.0.2.1', 'scoped-token')).status, 403);
    assert.ok([401, 403].includes((await get('/client/v4/reputation/ips/192.0.2.1', 'wrong')).status));
  });
});
