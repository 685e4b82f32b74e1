import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteConfigStore } from '../../../state/sqlite/config-store.ts';
import { createLogger } from '../../../telemetry/logger.ts';
import { ZoneService } from '../../services/zones.ts';
import { ZoneResourceService } from '../../services/zone-resources.ts';
import { CACHE_RULES } from '../../services/cache-rule-kind.ts';
import { Router } from '../router.ts';
import { AdminServer } from '../server.ts';
import { registerCacheRuleRoutes } from './cache-rules.ts';

const ADMIN = 'admin-token-0123456789abcdef';

describe('/client/v4/zones/:id/cache/rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-cache-rules-api-'));
  const config = new SqliteConfigStore(join(dir, 'config.db'));
  let published = 0;
  const publish = async (): Promise<void> => { published++; };
  const zones = new ZoneService(config, publish);
  const router = new Router();
  registerCacheRuleRoutes(router, new ZoneResourceService(CACHE_RULES, config, zones, publish));
  const admin = new AdminServer({
    token: ADMIN, logger: createLogger({ level: 'silent' }), router,
    verifyToken: async () => undefined,
    zoneOf: async (ref) => { try { const z = await zones.get(ref); return { id: z.id, account: z.account }; } catch { return undefined; } },
  });
  let base = '';
  let zone = '';
  before(async () => {
    zone = (await zones.create({ name: 'rules.example' })).id;
    base = `http://127.0.0.1:${await admin.listen('127.0.0.1', 0)}/client/v4/zones/`;
  });
  after(async () => { await admin.close(); await config.close(); rmSync(dir, { recursive: true, force: true }); });

  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: { success: boolean; errors: { message: string }[]; result: Record<string, unknown> & Record<string, unknown>[] } }> => {
    const res = await fetch(base + zone + path, { method, headers: { authorization: `Bearer ${ADMIN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: await res.json() as never };
  };

  it('creates, lists, changes and deletes rules, and publishes each change', async () => {
    const before = published;
    const c = await call('POST', '/cache/rules', { path: '/static/*', action: 'cache_everything', edge_ttl: 86400, browser_ttl: 3600 });
    assert.equal(c.status, 200, JSON.stringify(c.body.errors));
    const id = String(c.body.result['id']);
    assert.equal(c.body.result['action'], 'cache_everything');
    assert.equal(published, before + 1);
    const e = await call('POST', '/cache/rules', { expression: 'http.request.uri.path contains "/admin"', action: 'bypass' });
    assert.equal(e.status, 200, JSON.stringify(e.body.errors));
    assert.equal((await call('GET', '/cache/rules')).body.result.length, 2);
    const p = await call('PATCH', `/cache/rules/${id}`, { edge_ttl: 60 });
    assert.equal(p.body.result['edge_ttl'], 60);
    assert.equal(p.body.result['path'], '/static/*');
    assert.equal((await call('DELETE', `/cache/rules/${id}`)).status, 200);
    assert.equal((await call('GET', `/cache/rules/${id}`)).status, 404);
  });

  it('refuses bad rules with the field named', async () => {
    const noMatch = await call('POST', '/cache/rules', { action: 'bypass' });
    assert.equal(noMatch.status, 400);
    assert.match(noMatch.body.errors[0]!.message, /expression or a path/);
    const badExpr = await call('POST', '/cache/rules', { expression: 'http.request.uri.path ==', action: 'bypass' });
    assert.equal(badExpr.status, 400);
    assert.match(badExpr.body.errors[0]!.message, /expression/);
    const badAction = await call('POST', '/cache/rules', { path: '/x', action: 'cache_nothing' });
    assert.equal(badAction.status, 400);
    const both = await call('POST', '/cache/rules', { path: '/x', cache_key: { include: ['a'], exclude: ['b'] } });
    assert.equal(both.status, 400);
    const badPath = await call('POST', '/cache/rules', { path: 'static/*' });
    assert.equal(badPath.status, 400);
    assert.match(badPath.body.errors[0]!.message, /path/);
  });
});
