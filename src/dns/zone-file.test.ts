import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportZoneFile, quoteTxt } from './zone-file-export.ts';
import { importZoneFile, parseTtl, parseZoneFile, ZoneFileError } from './zone-file-parse.ts';
import type { DnsRecord } from './schemas.ts';
import { shopZone } from './test-fixture.ts';

const FILE = `; zone for shop.test
$ORIGIN shop.test.
$TTL 1h
@   IN  SOA ns1.rampart.test. hostmaster.shop.test. (
        2026112501 ; serial
        2h         ; refresh
        15m        ; retry
        1w         ; expire
        300 )      ; minimum
    IN  NS  ns1.rampart.test.
    IN  NS  ns2.rampart.test.
@   600 IN MX 10 mail
        IN MX 20 mail.backup.example.
mail    A   198.51.100.25
www 300 IN A 203.0.113.10 ; proxied
www     IN AAAA 2001:db8::10 ; cf_tags=cf-proxied:true
*.dev   A   198.51.100.99
txt     TXT "v=spf1 \\"quoted\\" \\\\ back" "second; not a comment"
_sip._tcp SRV 10 5 5060 mail
@       CAA 0 issue "letsencrypt.org"
$ORIGIN sub
deep    CNAME www.shop.test.
ptr     PTR @
`;

function find(rs: DnsRecord[], name: string, type: string): DnsRecord[] {
  return rs.filter((r) => r.name === name && r.type === type);
}

test('parseTtl handles seconds and BIND units', () => {
  assert.equal(parseTtl('300'), 300);
  assert.equal(parseTtl('1h30m'), 5400);
  assert.equal(parseTtl('1W'), 604800);
  assert.equal(parseTtl('h1'), undefined);
});

test('parses a master file: directives, blank owners, parentheses, comments, quoted TXT, relative names', () => {
  const rs = parseZoneFile(FILE, 'shop.test');
  const soa = find(rs, '@', 'SOA')[0];
  assert.ok(soa?.type === 'SOA');
  assert.deepEqual(soa.data, { mname: 'ns1.rampart.test', rname: 'hostmaster.shop.test', serial: 2026112501, refresh: 7200, retry: 900, expire: 604800, minimum: 300 });
  assert.equal(soa.ttl, 3600);
  assert.deepEqual(find(rs, '@', 'NS').map((r) => (r.type === 'NS' ? r.content : '')), ['ns1.rampart.test', 'ns2.rampart.test']);
  const mx = find(rs, '@', 'MX');
  assert.deepEqual(mx.map((r) => (r.type === 'MX' ? [r.priority, r.content, r.ttl] : [])), [[10, 'mail.shop.test', 600], [20, 'mail.backup.example', 3600]]);
  assert.equal(find(rs, 'mail', 'A')[0]?.ttl, 3600);
  assert.equal(find(rs, 'www', 'A')[0]?.proxied, true);
  assert.equal(find(rs, 'www', 'AAAA')[0]?.proxied, true);
  assert.equal(find(rs, '*.dev', 'A').length, 1);
  const txt = find(rs, 'txt', 'TXT')[0];
  assert.equal(txt?.type === 'TXT' ? txt.content : '', 'v=spf1 "quoted" \\ backsecond; not a comment');
  const srv = find(rs, '_sip._tcp', 'SRV')[0];
  assert.deepEqual(srv?.type === 'SRV' ? srv.data : null, { priority: 10, weight: 5, port: 5060, target: 'mail.shop.test' });
  const caa = find(rs, '@', 'CAA')[0];
  assert.deepEqual(caa?.type === 'CAA' ? caa.data : null, { flags: 0, tag: 'issue', value: 'letsencrypt.org' });
  const deep = find(rs, 'deep.sub', 'CNAME')[0];
  assert.equal(deep?.type === 'CNAME' ? deep.content : '', 'www.shop.test');
  const ptr = find(rs, 'ptr.sub', 'PTR')[0];
  assert.equal(ptr?.type === 'PTR' ? ptr.content : '', 'sub.shop.test');
  assert.equal(new Set(rs.map((r) => r.id)).size, rs.length, 'ids are unique');
});

test('errors carry line and column', () => {
  const cases: Array<[string, number, number, RegExp]> = [
    ['$ORIGIN shop.test.\nwww A 1.2.3\n', 2, 7, /IPv4/],
    ['www A 192.0.2.1\nwww BOGUS x\n', 2, 5, /unsupported record type/],
    ['@ SOA ns. host. ( 1 2 3 4\n', 1, 17, /not closed/],
    ['txt TXT "open\n', 1, 9, /unterminated/],
    ['www CH A 192.0.2.1\n', 1, 5, /class/],
    ['www.other.test. A 192.0.2.1\n', 1, 1, /outside/],
    ['mx MX 70000 mail\n', 1, 7, /MX preference/],
    ['$INCLUDE other.zone\n', 1, 1, /unsupported directive/],
    ['  A 192.0.2.1\n', 1, 3, /no previous owner/],
    ['www A 192.0.2.1 extra\n', 1, 17, /unexpected 'extra'/],
    ['bad_name!. A 192.0.2.1\n', 1, 1, /invalid owner name/],
  ];
  for (const [text, line, column, msg] of cases) {
    assert.throws(() => parseZoneFile(text, 'shop.test'), (e: unknown) => {
      assert.ok(e instanceof ZoneFileError, String(e));
      assert.match(e.message, msg, text);
      assert.equal(e.line, line, `${text}: ${e.message}`);
      assert.equal(e.column, column, `${text}: ${e.message}`);
      return true;
    });
  }
});

test('importZoneFile splits out SOA settings, serial and apex NS', () => {
  const z = importZoneFile(FILE, 'shop.test');
  assert.equal(z.serial, 2026112501);
  assert.deepEqual(z.nameservers, ['ns1.rampart.test', 'ns2.rampart.test']);
  assert.equal(z.soa?.refresh, 7200);
  assert.ok(!z.records.some((r) => r.type === 'SOA' || (r.type === 'NS' && r.name === '@')));
});

test('quoteTxt escapes and splits at 255 bytes', () => {
  assert.equal(quoteTxt('a"b\\c\u00e9'), '"a\\"b\\\\c\\195\\169"');
  assert.equal(quoteTxt(''), '""');
  assert.equal(quoteTxt('x'.repeat(300)).split('" "').length, 2);
});

function canon(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canon(o[k])}`).join(',')}}`;
}

test('export then parse round-trips every record', () => {
  const zone = shopZone();
  zone.records.push({ id: 't2', type: 'TXT', name: 'utf', content: 'caf\u00e9 "x" ; y \\ '.repeat(30) });
  zone.records.push({ id: 't3', type: 'A', name: 'abs.shop.test', content: '192.0.2.77', ttl: 60 });
  const text = exportZoneFile(zone);
  const back = importZoneFile(text, 'shop.test');
  assert.equal(back.serial, zone.serial);
  assert.deepEqual(back.nameservers, zone.nameservers);
  assert.equal(back.soa?.minimum, 120);
  const strip = (r: Record<string, unknown>): Record<string, unknown> => {
    const { id: _id, comment: _c, ...rest } = r;
    return { ...rest, name: rest['name'] === 'abs.shop.test' ? 'abs' : rest['name'] };
  };
  const norm = (rs: ReadonlyArray<object>): string[] =>
    rs.map((r) => {
      const o = strip(Object.assign({ ttl: 3600, proxied: false } as Record<string, unknown>, r));
      return canon(o);
    }).sort();
  assert.deepEqual(norm(back.records), norm(zone.records));
  // and once more: export of the import is identical
  assert.equal(exportZoneFile({ name: 'shop.test', serial: zone.serial, nameservers: back.nameservers, soa: back.soa, records: back.records }), text);
});

test('random zones round-trip through export and import', () => {
  let seed = 12345;
  const rnd = (n: number): number => { seed = (seed * 48271) % 2147483647; return seed % n; };
  const label = (): string => 'abcdefghijklmnopqrstuvwxyz0123456789-_'.split('').filter((_, i) => i < 36 || rnd(4) === 0).slice(rnd(10), rnd(10) + 12).join('').replace(/^-+|-+$/g, '') || 'x';
  const name = (): string => (rnd(5) === 0 ? '@' : rnd(6) === 0 ? `*.${label()}` : Array.from({ length: 1 + rnd(3) }, label).join('.'));
  const chars = ['a', ' ', '"', '\\', ';', '(', ')', '\u00e9', '\u4e2d', '\u{1f600}', '\t', 'z', '$', '@'];
  for (let round = 0; round < 20; round++) {
    const records: DnsRecord[] = [];
    const used = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const n = name();
      const id = `r${i}`;
      const ttl = 1 + rnd(100000);
      const k = rnd(8);
      if (k === 0) records.push({ id, name: n, ttl, type: 'A', content: `192.0.2.${rnd(256)}`, proxied: rnd(2) === 0 });
      else if (k === 1) records.push({ id, name: n, ttl, type: 'AAAA', content: `2001:db8::${rnd(65536).toString(16)}`, proxied: false });
      else if (k === 2) records.push({ id, name: n, ttl, type: 'TXT', content: Array.from({ length: rnd(400) }, () => chars[rnd(chars.length)]).join(''), proxied: false });
      else if (k === 3) records.push({ id, name: n, ttl, type: 'MX', priority: rnd(65536), content: `${label()}.example`, proxied: false });
      else if (k === 4) records.push({ id, name: n, ttl, type: 'SRV', data: { priority: rnd(100), weight: rnd(100), port: rnd(65536), target: `${label()}.shop.test` }, proxied: false });
      else if (k === 5) records.push({ id, name: n, ttl, type: 'CAA', data: { flags: rnd(2) * 128, tag: 'issue', value: `ca${label()}.example; x="y"` }, proxied: false });
      else if (k === 6) records.push({ id, name: n, ttl, type: 'PTR', content: `${label()}.example`, proxied: false });
      else if (!used.has(n) && n !== '@') { used.add(n); records.push({ id, name: n, ttl, type: 'NS', content: `ns.${label()}.example`, proxied: false }); }
    }
    const zone = { name: 'shop.test', serial: 1 + rnd(1000000), nameservers: ['ns1.rampart.test'], records };
    const back = importZoneFile(exportZoneFile(zone), 'shop.test');
    assert.deepEqual(
      back.records.map((r) => canon({ ...r, id: '' })).sort(),
      records.map((r) => canon({ ...r, id: '' })).sort(),
      `round ${round}`,
    );
  }
});
