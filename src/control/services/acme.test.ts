import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certificateNames, chooseChallenge, needsRenewal, RENEW_BEFORE_MS, AcmeService, retryDelayMs } from './acme.ts';
import type { StoredCert } from './acme.ts';
import { dnsZonesFrom } from './dns.ts';
import { buildSnapshot, lookupZone } from '../../config/snapshot.ts';
import { SqliteConfigStore } from '../../state/sqlite/config-store.ts';
import { ManualClock } from '../../lib/clock.ts';
import type { ConfigDoc } from '../../state/ports.ts';

test('certificate names: proxied A/AAAA/CNAME owners as FQDNs, apex first, unproxied and other types left out', () => {
  const names = certificateNames('shop.test', [
    { type: 'A', name: 'www', proxied: true },
    { type: 'AAAA', name: 'www', proxied: true },
    { type: 'CNAME', name: 'api.shop.test', proxied: true },
    { type: 'A', name: '@', proxied: true },
    { type: 'A', name: 'mail', proxied: false },
    { type: 'TXT', name: 'txt', proxied: true },
    { type: 'CNAME', name: 'Blog.Shop.Test.', proxied: true },
  ]);
  assert.deepEqual(names, ['shop.test', 'api.shop.test', 'blog.shop.test', 'www.shop.test']);
  assert.deepEqual(certificateNames('shop.test', [{ type: 'A', name: 'mail' }]), []);
});

test('renewal timing: missing, self-signed or expiring within 30 days renews; a fresh ACME certificate does not', () => {
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const acmeUntil = (iso: string): StoredCert => ({ cert: 'c', key: 'k', source: 'acme', expires_on: iso });
  const fresh = new Map<string, StoredCert | undefined>([['www.shop.test', acmeUntil('2026-03-01T00:00:00Z')]]);
  assert.equal(needsRenewal(fresh, ['www.shop.test'], clock.now()), false);
  assert.equal(needsRenewal(fresh, ['www.shop.test', 'api.shop.test'], clock.now()), true, 'a name without a certificate');
  assert.equal(needsRenewal(new Map([['www.shop.test', { cert: 'c', key: 'k', source: 'self-signed' }]]), ['www.shop.test'], clock.now()), true);
  clock.set(Date.parse('2026-03-01T00:00:00Z') - RENEW_BEFORE_MS + 1000);
  assert.equal(needsRenewal(fresh, ['www.shop.test'], clock.now()), true, 'inside the 30-day window');
  clock.advance(-2000);
  assert.equal(needsRenewal(fresh, ['www.shop.test'], clock.now()), false, 'just outside the window');
});

test('DNS-01 challenge docs are served as TXT records of their zone', () => {
  const docs: ConfigDoc[] = [
    { kind: 'zone', id: 'z1', zoneId: null, name: 'shop.test', data: { id: 'z1', name: 'shop.test' }, modifiedOn: '' },
    { kind: 'acme_dns01', id: 'abc', zoneId: 'z1', name: null, data: { name: '_acme-challenge.www.shop.test', content: 'digest' }, modifiedOn: '' },
  ];
  const [zone] = dnsZonesFrom(docs, { nameservers: ['ns1.test'] });
  const txt = zone!.records.find((r) => r.type === 'TXT');
  assert.ok(txt);
  assert.equal(txt.name, '_acme-challenge.www.shop.test.');
  assert.equal((txt as { content: string }).content, 'digest');
});

test('proxied record hostnames route to their zone; unproxied ones and other zones\' names do not', () => {
  const zone = (id: string, name: string, aliases: string[] = []): ConfigDoc => ({ kind: 'zone', id, zoneId: null, name, modifiedOn: '',
    data: { id, name, account: 'a', aliases, pool: { origins: [{ address: '127.0.0.1:1', weight: 1, enabled: true }], health_check: { enabled: false } }, settings: {} } });
  const rec = (zoneId: string, id: string, data: Record<string, unknown>): ConfigDoc => ({ kind: 'dns_record', id, zoneId, name: null, data, modifiedOn: '' });
  const s = buildSnapshot(1, [
    zone('z1', 'shop.test'), zone('z2', 'other.test', ['api.shop.test']),
    rec('z1', 'r1', { type: 'A', name: 'www', content: '192.0.2.1', proxied: true }),
    rec('z1', 'r2', { type: 'A', name: 'mail', content: '192.0.2.1', proxied: false }),
    rec('z1', 'r3', { type: 'CNAME', name: 'api', content: 'x.test', proxied: true }),
  ]);
  assert.equal(lookupZone(s, 'www.shop.test')?.id, 'z1');
  assert.equal(lookupZone(s, 'mail.shop.test'), undefined);
  assert.equal(lookupZone(s, 'api.shop.test')?.id, 'z2', 'an alias keeps its zone');
});

test('issue refuses a zone without proxied hostnames and an unknown zone, before contacting any CA', async () => {
  const store = new SqliteConfigStore(':memory:');
  try {
    await store.apply([{ op: 'put', doc: { kind: 'zone', id: 'z1', zoneId: null, name: 'shop.test', data: { id: 'z1', name: 'shop.test' } } }]);
    const acme = new AcmeService({ store, publish: async () => {}, clock: new ManualClock(), directory: 'https://127.0.0.1:1/dir' });
    await assert.rejects(acme.issue('shop.test'), /no proxied hostnames/);
    await assert.rejects(acme.issue('nope.test'), /not found/);
    assert.deepEqual(await acme.list('shop.test'), []);
  } finally { await store.close(); }
});

test('automatic pass: a failing zone backs off (5 min, doubling) and is retried once the delay has passed', async () => {
  assert.deepEqual([1, 2, 3, 20].map(retryDelayMs), [300_000, 600_000, 1_200_000, 86_400_000]);
  const store = new SqliteConfigStore(':memory:');
  try {
    await store.apply([
      { op: 'put', doc: { kind: 'zone', id: 'z1', zoneId: null, name: 'shop.test', data: { id: 'z1', name: 'shop.test' } } },
      { op: 'put', doc: { kind: 'dns_record', id: 'r1', zoneId: 'z1', name: null, data: { type: 'A', name: 'www', content: '127.0.0.1', proxied: true } } },
    ]);
    const clock = new ManualClock();
    const failures: unknown[] = [];
    // every attempt fails (no CA contacted)
    class Failing extends AcmeService { override issue(): Promise<never> { return Promise.reject(new Error('CA unreachable')); } }
    const acme = new Failing({ store, publish: async () => {}, clock, directory: 'https://127.0.0.1:1/dir', log: (msg, f) => { if (msg === 'ACME issuance failed') failures.push(f['attempt']); } });
    await acme.renewDue();
    assert.deepEqual(failures, [1]);
    await acme.renewDue();
    assert.deepEqual(failures, [1], 'no retry inside the back-off');
    clock.advance(300_001);
    await acme.renewDue();
    assert.deepEqual(failures, [1, 2]);
    clock.advance(300_001);
    await acme.renewDue();
    assert.deepEqual(failures, [1, 2], 'the second delay is 10 min');
  } finally { await store.close(); }
});

test('the challenge per zone: configured wins; DNS-01 once delegated to us, HTTP-01 before; wildcards always DNS-01', () => {
  assert.equal(chooseChallenge('http-01', 'active', ['shop.test']), 'http-01');
  assert.equal(chooseChallenge(undefined, 'active', ['shop.test']), 'dns-01');
  assert.equal(chooseChallenge(undefined, undefined, ['shop.test']), 'dns-01', 'a config-file zone is ours');
  assert.equal(chooseChallenge(undefined, 'pending', ['shop.test', 'www.shop.test']), 'http-01');
  assert.equal(chooseChallenge(undefined, 'moved', ['shop.test']), 'http-01');
  assert.equal(chooseChallenge('http-01', 'pending', ['shop.test', '*.shop.test']), 'dns-01', 'HTTP-01 cannot prove a wildcard');
});

test('certificates of names no longer proxied are removed; others (proxied, uploaded, self-signed) stay', async () => {
  const store = new SqliteConfigStore(':memory:');
  try {
    const cert = (source: string): Record<string, unknown> => ({ cert: 'PEM', key: 'KEY', source, created_on: '2026-11-01T00:00:00Z', expires_on: '2027-02-01T00:00:00Z' });
    await store.apply([
      { op: 'put', doc: { kind: 'zone', id: 'z1', zoneId: null, name: 'shop.test', data: { id: 'z1', name: 'shop.test' } } },
      { op: 'put', doc: { kind: 'dns_record', id: 'r1', zoneId: 'z1', name: null, data: { id: 'r1', type: 'A', name: 'www', content: '192.0.2.1', proxied: true } } },
      { op: 'put', doc: { kind: 'cert', id: 'www.shop.test', zoneId: 'z1', name: null, data: cert('acme') } },
      { op: 'put', doc: { kind: 'cert', id: 'old.shop.test', zoneId: 'z1', name: null, data: cert('acme') } },
      { op: 'put', doc: { kind: 'cert', id: 'gone.test', zoneId: null, name: null, data: cert('acme') } },
      { op: 'put', doc: { kind: 'cert', id: 'custom.shop.test', zoneId: 'z1', name: null, data: cert('upload') } },
      { op: 'put', doc: { kind: 'cert', id: 'self.shop.test', zoneId: 'z1', name: null, data: cert('self-signed') } },
    ]);
    let published = 0;
    const acme = new AcmeService({ store, publish: async () => { published++; }, clock: new ManualClock(), directory: 'https://127.0.0.1:1/dir' });
    assert.deepEqual((await acme.cleanup()).sort(), ['gone.test', 'old.shop.test']);
    assert.equal(published, 1);
    assert.deepEqual((await store.list('cert')).map((d) => d.id).sort(), ['custom.shop.test', 'self.shop.test', 'www.shop.test']);
    assert.deepEqual(await acme.cleanup(), [], 'nothing more to remove');
  } finally { await store.close(); }
});
