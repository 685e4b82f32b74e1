import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIp } from '../ip.ts';
import { MmdbReader, MmdbError, mmdbDatabase, writeMmdb, parseGeoCsv, GeoCsvError, GeoIp, loadGeoIp, openGeoDatabase } from './index.ts';
import type { MmdbEntry } from './index.ts';

const ip = (s: string) => parseIp(s)!;

const country = (iso: string) => ({ continent: { code: 'EU' }, country: { geoname_id: 3017382, iso_code: iso, names: { en: iso === 'FR' ? 'France' : iso } }, registered_country: { iso_code: iso } });
const ENTRIES: MmdbEntry[] = [
  { network: '127.0.0.0/8', data: country('US') },
  { network: '127.0.9.0/24', data: country('FR') },
  { network: '127.0.9.128/25', data: { registered_country: { iso_code: 'BE' } } },
  { network: '203.0.113.7/32', data: country('DE') },
  { network: '2001:db8::/32', data: country('JP') },
  { network: '2001:db8:1::/48', data: country('NL') },
];

for (const recordSize of [24, 28, 32] as const) {
  for (const pointers of [false, true]) {
    test(`MMDB record size ${recordSize}${pointers ? ' with pointers' : ''}: IPv4 and IPv6 lookups, nesting, misses`, () => {
      const db = mmdbDatabase(writeMmdb(ENTRIES, { recordSize, pointers }));
      assert.equal(db.reader.metadata.recordSize, recordSize);
      assert.equal(db.reader.metadata.ipVersion, 6);
      assert.equal(db.get(ip('127.0.0.1'))?.country, 'US');
      assert.equal(db.get(ip('127.0.9.5'))?.country, 'FR');
      assert.equal(db.get(ip('127.0.9.200'))?.country, 'BE', 'falls back to registered_country');
      assert.equal(db.get(ip('::ffff:127.0.9.5'))?.country, 'FR', 'IPv4-mapped reads as IPv4');
      assert.equal(db.get(ip('203.0.113.7'))?.country, 'DE');
      assert.equal(db.get(ip('203.0.113.8')), undefined);
      assert.equal(db.get(ip('8.8.8.8')), undefined);
      assert.equal(db.get(ip('2001:db8::1'))?.country, 'JP');
      assert.equal(db.get(ip('2001:db8:1::99'))?.country, 'NL');
      assert.equal(db.get(ip('2001:db9::1')), undefined);
      // full decode of a record
      const off = db.reader.lookupV4(ip('127.0.9.5').value as number);
      assert.deepEqual(db.reader.decode(off), country('FR'));
    });
  }
}

test('MMDB with a large record (>2^24 nodes is not needed): 28-bit records keep the high nibble', () => {
  // many distinct records push data offsets past 2^24? keep it small: check the nibble arithmetic with many entries
  const entries: MmdbEntry[] = [];
  for (let i = 0; i < 300; i++) entries.push({ network: `10.${i >> 8}.${i & 255}.0/24`, data: { autonomous_system_number: 64_000 + i, autonomous_system_organization: `Org ${i} ${'x'.repeat(300)}` } });
  for (const recordSize of [24, 28, 32] as const) {
    const db = mmdbDatabase(writeMmdb(entries, { recordSize }));
    assert.equal(db.get(ip('10.0.5.1'))?.asn, 64_005);
    assert.equal(db.get(ip('10.1.43.1'))?.asn, 64_299);
    assert.match(db.get(ip('10.1.43.1'))?.org ?? '', /^Org 299 x+$/);
  }
});

test('an IPv4-only MMDB answers IPv4 and misses IPv6', () => {
  const db = mmdbDatabase(writeMmdb([{ network: '192.0.2.0/24', data: { country_code: 'fr' } }], { ipVersion: 4, recordSize: 24 }));
  assert.equal(db.get(ip('192.0.2.1'))?.country, 'FR', 'ip-location-db shape: country_code');
  assert.equal(db.get(ip('192.0.3.1')), undefined);
  assert.equal(db.get(ip('2001:db8::1')), undefined);
});

test('MMDB data types decode: strings past 29/285 bytes, numbers, booleans, doubles, arrays, uint64', () => {
  const data = { s: 'a'.repeat(300), t: 'b'.repeat(40), n16: 65535, n32: 4294967295, n64: 2n ** 60n, n40: 2 ** 40, neg: -5, f: 1.5, yes: true, no: false, arr: [1, 'x'], big: 2n ** 70n };
  const r = new MmdbReader(writeMmdb([{ network: '1.2.3.0/24', data }], { recordSize: 32 }));
  const v = r.decode(r.lookupV4(ip('1.2.3.4').value as number)) as Record<string, unknown>;
  assert.equal(v['s'], 'a'.repeat(300));
  assert.equal(v['t'], 'b'.repeat(40));
  assert.equal(v['n16'], 65535);
  assert.equal(v['n32'], 4294967295);
  assert.equal(v['n64'], 2n ** 60n, 'past 2^53 a bigint');
  assert.equal(v['n40'], 2 ** 40);
  assert.equal(v['neg'], -5);
  assert.equal(v['f'], 1.5);
  assert.equal(v['yes'], true);
  assert.equal(v['no'], false);
  assert.deepEqual(v['arr'], [1, 'x']);
  assert.equal(v['big'], 2n ** 70n);
});

test('a file that is not an MMDB is refused with MmdbError', () => {
  assert.throws(() => new MmdbReader(Buffer.from('hello world')), MmdbError);
});

test('CSV ranges: IPv4, IPv6, CIDR column, nesting, header and comments, ASN and org', () => {
  const db = parseGeoCsv([
    'start_ip,end_ip,country,asn,org',
    '# test ranges',
    '127.0.0.0,127.255.255.255,US,',
    '127.0.9.0/24,,fr,AS64496,"Example, Inc."',
    '2001:db8::,2001:db8::ffff,BE,64497',
  ].join('\n'));
  assert.equal(db.size, 3);
  assert.deepEqual(db.get(ip('127.0.9.1')), { country: 'FR', asn: 64496, org: 'Example, Inc.' });
  assert.deepEqual(db.get(ip('127.0.10.1')), { country: 'US' });
  assert.deepEqual(db.get(ip('2001:db8::5')), { country: 'BE', asn: 64497 });
  assert.equal(db.get(ip('2001:db8::1:0')), undefined);
  assert.equal(db.get(ip('10.0.0.1')), undefined);
  assert.throws(() => parseGeoCsv('1.2.3.4,1.2.3.0,FR'), GeoCsvError);
  assert.throws(() => parseGeoCsv('1.2.3.0,1.2.3.255,FR\nnope,1.2.3.4,FR'), /:2: bad start address/);
});

test('GeoIp: XX and 0 when unknown or unconfigured; separate country and ASN databases; files by extension', () => {
  const none = new GeoIp();
  assert.equal(none.configured, false);
  assert.equal(none.country('1.2.3.4'), 'XX');
  assert.equal(none.asn('1.2.3.4'), 0);
  const dir = mkdtempSync(join(tmpdir(), 'geoip-'));
  try {
    writeFileSync(join(dir, 'c.mmdb'), writeMmdb(ENTRIES));
    writeFileSync(join(dir, 'a.csv'), '127.0.0.0,127.0.255.255,,64500,Loopback Org\n');
    const g = loadGeoIp({ country: join(dir, 'c.mmdb'), asn: join(dir, 'a.csv') });
    assert.deepEqual(g.problems, []);
    assert.equal(g.country('127.0.9.3'), 'FR');
    assert.equal(g.asn('127.0.9.3'), 64500);
    assert.equal(g.org('127.0.9.3'), 'Loopback Org');
    assert.equal(g.country('8.8.8.8'), 'XX');
    assert.equal(g.asn('8.8.8.8'), 0);
    assert.equal(g.country('not an ip'), 'XX');
    assert.equal(openGeoDatabase(join(dir, 'c.mmdb')).kind, 'mmdb');
    const bad = loadGeoIp({ country: join(dir, 'missing.mmdb') });
    assert.equal(bad.problems.length, 1);
    assert.equal(bad.country('127.0.9.3'), 'XX');
    // one CSV carrying both
    const both = loadGeoIp({ country: join(dir, 'a.csv') });
    assert.equal(both.asn('127.0.0.1'), 64500);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
