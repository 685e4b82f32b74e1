import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteConfigStore } from '../../state/sqlite/config-store.ts';
import { ZoneService } from './zones.ts';
import { AccountService } from './accounts.ts';
import { ListService, AccountRuleService, ListAwareResourceService, FIREWALL_RULES, RATE_LIMIT_RULES } from './rule-kinds.ts';
import { ApiError } from '../api/errors.ts';
import { RULE_LIST_KIND, ACCOUNT_FIREWALL_RULE_KIND } from '../../rules/index.ts';

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-lists-'));
  const store = new SqliteConfigStore(join(dir, 'config.db'));
  let published = 0;
  const publish = async (): Promise<void> => { published++; };
  const zones = new ZoneService(store, publish);
  const accounts = new AccountService(store, zones);
  const zone = await zones.create({ name: 'lists.test', origins: ['127.0.0.1:9'] });
  return { dir, store, zones, accounts, zone, publish, published: () => published, done: () => { store.close?.(); rmSync(dir, { recursive: true, force: true }); } };
}

const status = async (p: Promise<unknown>): Promise<number> => { try { await p; return 200; } catch (e) { if (e instanceof ApiError) return e.status; throw e; } };

test('lists: create, items of each kind validated, summary counts, duplicates merged, delete items', async () => {
  const s = await setup();
  try {
    const lists = new ListService(s.store, s.accounts, s.publish);
    const acct = await lists.account('default');
    const ips = await lists.create(acct, { name: 'office_ips', kind: 'ip', description: 'HQ' });
    assert.equal(ips.num_items, 0);
    assert.equal(await status(lists.create(acct, { name: 'office_ips', kind: 'ip' })), 409, 'names are unique per account');
    assert.equal(await status(lists.create(acct, { name: 'bad-name', kind: 'ip' })), 400);
    await lists.addItems(acct, ips.id, [{ ip: '203.0.113.0/24', comment: 'HQ' }, { ip: '2001:db8::1' }, { ip: '198.51.100.1-198.51.100.9' }]);
    const again = await lists.addItems(acct, ips.id, { ip: '203.0.113.0/24', comment: 'renamed' });
    assert.equal(again.num_items, 3);
    const items = await lists.items(acct, ips.id);
    assert.equal(items.find((x) => x.ip === '203.0.113.0/24')?.comment, 'renamed');
    assert.equal(await status(lists.addItems(acct, ips.id, [{ ip: 'nope' }])), 400);
    assert.equal(await status(lists.addItems(acct, ips.id, [{ asn: 1 }])), 400, 'an ip list takes ip items only');
    const asns = await lists.create(acct, { name: 'bad_asns', kind: 'asn' });
    await lists.addItems(acct, asns.id, [{ asn: 64496 }, { asn: 'AS64497' }]);
    assert.deepEqual((await lists.items(acct, asns.id)).map((x) => x.asn), [64496, 64497]);
    const hosts = await lists.create(acct, { name: 'partners', kind: 'hostname' });
    await lists.addItems(acct, hosts.id, [{ hostname: { url_hostname: 'Partner.Example' } }, { hostname: 'b.example' }]);
    assert.deepEqual((await lists.items(acct, hosts.id)).map((x) => x.hostname?.url_hostname), ['partner.example', 'b.example']);
    const first = (await lists.items(acct, ips.id))[0]!;
    assert.equal((await lists.deleteItems(acct, ips.id, { items: [{ id: first.id }] })).num_items, 2);
    assert.equal((await lists.replaceItems(acct, ips.id, [{ ip: '192.0.2.1' }])).num_items, 1);
    assert.equal((await lists.list(acct)).length, 3);
    assert.equal(await status(lists.update(acct, ips.id, { name: 'other' })), 400, 'no renames');
    assert.equal((await lists.update(acct, ips.id, { description: 'new' })).description, 'new');
    assert.equal(await status(lists.get(acct, 'missing')), 404);
    assert.equal(await status(lists.account('nobody')), 404);
    assert.equal(await status(lists.account('default', { account: 'other', zones: 'account' })), 403, 'a token of another account');
    assert.equal(await status(lists.account('default', { account: 'default', zones: new Set(['z']) }, true)), 403, 'writes need an account-wide token');
    assert.ok(s.published() > 0);
  } finally { s.done(); }
});

test('zone rules naming lists: unknown list refused with a clear error, known list accepted; a list in use cannot be deleted', async () => {
  const s = await setup();
  try {
    const lists = new ListService(s.store, s.accounts, s.publish);
    const rules = new ListAwareResourceService(FIREWALL_RULES, s.store, s.zones, s.publish);
    const limits = new ListAwareResourceService(RATE_LIMIT_RULES, s.store, s.zones, s.publish);
    try {
      await rules.create(s.zone.id, { expression: 'ip.src in $office_ips', action: 'block' });
      assert.fail('accepted an unknown list');
    } catch (e) {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 400);
      assert.match(e.message, /unknown list \$office_ips/);
    }
    const l = await lists.create('default', { name: 'office_ips', kind: 'ip' });
    const r = await rules.create(s.zone.id, { expression: 'not ip.src in $office_ips and http.request.uri.path eq "/admin"', action: 'block' }) as { id: string };
    assert.ok(r.id);
    await assert.rejects(rules.create(s.zone.id, { expression: 'http.host in $office_ips', action: 'block' }), /holds IP addresses, but the left of 'in' is a string/);
    await assert.rejects(rules.create(s.zone.id, { expression: 'ip.src in $ofice_ips', action: 'block' }), /did you mean \$office_ips/);
    await limits.create(s.zone.id, { expression: 'ip.src in $office_ips', characteristics: ['ip.src'], period: 10, requests: 5, action: 'block', timeout: 0 });
    assert.equal(await status(lists.delete('default', l.id)), 409);
    assert.equal((await lists.get('default', l.id)).num_referencing_filters, 2);
    await rules.delete(s.zone.id, r.id);
    for (const x of await limits.list(s.zone.id)) await limits.delete(s.zone.id, x.id);
    assert.equal(await status(lists.delete('default', l.id)), 200);
    assert.equal((await s.store.list(RULE_LIST_KIND)).length, 0);
  } finally { s.done(); }
});

test('account rules: stored once for the account, validated with its lists, CRUD', async () => {
  const s = await setup();
  try {
    const svc = new AccountRuleService(s.store, s.accounts, s.publish);
    const lists = new ListService(s.store, s.accounts, s.publish);
    await assert.rejects(svc.create('default', { expression: 'ip.src.asnum in $bad_asns', action: 'block' }), /unknown list \$bad_asns/);
    await lists.create('default', { name: 'bad_asns', kind: 'asn' });
    const r = await svc.create('default', { expression: 'ip.src.asnum in $bad_asns', action: 'block', description: 'everywhere' }) as { id: string };
    assert.equal((await svc.list('default')).length, 1);
    const stored = await s.store.get(ACCOUNT_FIREWALL_RULE_KIND, r.id);
    assert.equal(stored?.zoneId, null);
    assert.equal((stored?.data as { account: string }).account, 'default');
    assert.equal((await svc.get('default', r.id)).description, 'everywhere');
    assert.equal((await svc.update('default', r.id, { enabled: false }, false)).enabled, false);
    assert.equal(await status(svc.create('default', { expression: 'http.host eq', action: 'block' })), 400);
    await svc.delete('default', r.id);
    assert.equal((await svc.list('default')).length, 0);
  } finally { s.done(); }
});

test('account access rules: Cloudflare shape accepted, stored for the account, CRUD', async () => {
  const { AccountAccessRuleService } = await import('./rule-kinds.ts');
  const s = await setup();
  try {
    const svc = new AccountAccessRuleService(s.store, s.accounts, s.publish);
    const r = await svc.create('default', { mode: 'block', configuration: { target: 'ip_range', value: '203.0.113.0/24' }, notes: 'everywhere' }) as { id: string; target: string };
    assert.equal(r.target, 'cidr');
    assert.equal((await svc.list('default')).length, 1);
    assert.equal((await s.store.get('account_access_rule', r.id))?.zoneId, null);
    assert.equal(await status(svc.create('default', { mode: 'block', target: 'country', value: 'FRA' })), 400);
    await svc.delete('default', r.id);
    assert.equal((await svc.list('default')).length, 0);
  } finally { s.done(); }
});
