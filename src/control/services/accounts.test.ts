import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteConfigStore } from '../../state/sqlite/config-store.ts';
import { ZoneService } from './zones.ts';
import { AccountService } from './accounts.ts';

test('a token expires at its time, is refused after revocation, and only ever stored hashed', async () => {
  let now = Date.parse('2026-11-25T12:00:00Z');
  const store = new SqliteConfigStore(':memory:');
  const zones = new ZoneService(store, async () => {}, () => new Date(now));
  const accounts = new AccountService(store, zones, () => new Date(now));
  await accounts.create({ name: 'acme', email: 'o@acme.test' });
  const t = await accounts.createToken('acme', { permissions: ['zone:read'], expires_on: '1h' });
  assert.equal(t.expires_on, '2026-11-25T13:00:00.000Z');
  const ok = await accounts.verify(t.value, '127.0.0.1');
  assert.ok(ok !== undefined && !('refused' in ok));
  now += 2 * 3_600_000;
  const late = await accounts.verify(t.value, '127.0.0.1');
  assert.deepEqual(late, { refused: 'this API token expired on 2026-11-25T13:00:00.000Z' });
  const t2 = await accounts.createToken('acme', { permissions: ['zone:read'] });
  await accounts.revokeToken('acme', t2.id);
  assert.deepEqual(await accounts.verify(t2.value, '127.0.0.1'), { refused: 'this API token was revoked' });
  assert.equal(await accounts.verify('rpt_unknown', '127.0.0.1'), undefined);
  const docs = JSON.stringify(await store.list('api_token'));
  assert.ok(!docs.includes(t.value) && !docs.includes(t2.value), 'no secret in the store');
  await assert.rejects(accounts.createToken('acme', { permissions: ['zone:read'], expires_on: '2020-01-01T00:00:00Z' }), /in the past/);
  await store.close();
});
