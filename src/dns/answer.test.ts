import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet, RecordType } from 'dns-packet';
import type { DnsZoneInput } from './schemas.ts';
import { answer, responseRcode } from './answer.ts';
import type { DnsQuery } from './answer.ts';
import { buildDnsSnapshot, checkZone, DnsZoneError } from './snapshot.ts';
import { EDGE, shopZone } from './test-fixture.ts';

const snap = buildDnsSnapshot([shopZone()], EDGE);
const UDP = { address: '127.0.0.1', transport: 'udp' as const };
const TCP = { address: '127.0.0.1', transport: 'tcp' as const };

function q(name: string, type: RecordType | 'ANY', extra: Partial<DnsQuery> = {}): DnsQuery {
  return { id: 42, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as RecordType, class: 'IN' }], ...extra };
}
/** Encode and decode, as the wire does. */
function wire(p: Packet): DecodedPacket & { rcode: string } {
  return dnsPacket.decode(dnsPacket.encode(p)) as DecodedPacket & { rcode: string };
}
function data(a: readonly Answer[] | undefined): unknown[] {
  return (a ?? []).map((x) => ('data' in x ? x.data : null));
}

test('authoritative answer, question case preserved, RD copied', () => {
  const r = wire(answer(snap, q('DiReCt.Shop.TEST', 'A'), UDP));
  assert.equal(r.id, 42);
  assert.equal(r.flag_aa, true);
  assert.equal(r.flag_rd, true);
  assert.equal(r.rcode, 'NOERROR');
  assert.equal(r.questions?.[0]?.name, 'DiReCt.Shop.TEST');
  assert.equal(r.answers?.[0]?.name, 'DiReCt.Shop.TEST');
  assert.deepEqual(data(r.answers), ['198.51.100.7']);
});

test('proxied A answers the edge addresses (v4 and v6), never the origin', () => {
  const a = wire(answer(snap, q('www.shop.test', 'A'), UDP));
  assert.deepEqual(data(a.answers).sort(), ['192.0.2.1', '192.0.2.2']);
  assert.equal(a.answers?.[0] && 'ttl' in a.answers[0] ? a.answers[0].ttl : -1, 300);
  const aaaa = wire(answer(snap, q('www.shop.test', 'AAAA'), UDP));
  assert.deepEqual(data(aaaa.answers), ['2001:db8:e::1']);
  const app = wire(answer(snap, q('app.shop.test', 'A'), UDP));
  assert.deepEqual(data(app.answers).sort(), ['192.0.2.1', '192.0.2.2']);
  const appC = wire(answer(snap, q('app.shop.test', 'CNAME'), UDP));
  assert.equal(appC.answers?.length, 0, 'the proxied CNAME target is hidden');
  const all = JSON.stringify([a, aaaa, app, appC]);
  assert.ok(!all.includes('203.0.113.10') && !all.includes('origin.example.net'));
});

test('NXDOMAIN and NODATA carry the SOA with the negative TTL', () => {
  const nx = wire(answer(snap, q('nope.shop.test', 'A'), UDP));
  assert.equal(nx.rcode, 'NXDOMAIN');
  assert.equal(nx.flag_aa, true);
  assert.equal(nx.answers?.length, 0);
  const soa = nx.authorities?.[0];
  assert.equal(soa?.type, 'SOA');
  assert.equal(soa && 'ttl' in soa ? soa.ttl : 0, 120);
  const nodata = wire(answer(snap, q('mail.shop.test', 'AAAA'), UDP));
  assert.equal(nodata.rcode, 'NOERROR');
  assert.equal(nodata.answers?.length, 0);
  assert.equal(nodata.authorities?.[0]?.type, 'SOA');
});

test('REFUSED outside every zone, without AA', () => {
  const r = wire(answer(snap, q('example.org', 'A'), UDP));
  assert.equal(r.rcode, 'REFUSED');
  assert.equal(r.flag_aa, false);
});

test('empty non-terminal is NODATA, not NXDOMAIN', () => {
  for (const n of ['sub.shop.test', 'ent.sub.shop.test']) {
    const r = wire(answer(snap, q(n, 'A'), UDP));
    assert.equal(r.rcode, 'NOERROR', n);
    assert.equal(r.answers?.length, 0);
  }
});

test('wildcards per RFC 4592', () => {
  const w = wire(answer(snap, q('Foo.dev.shop.test', 'A'), UDP));
  assert.deepEqual(data(w.answers), ['198.51.100.99']);
  assert.equal(w.answers?.[0]?.name, 'Foo.dev.shop.test', 'synthesized with the query name');
  const deep = wire(answer(snap, q('a.b.dev.shop.test', 'A'), UDP));
  assert.deepEqual(data(deep.answers), ['198.51.100.99'], 'closest encloser dev.shop.test');
  const existing = wire(answer(snap, q('x.dev.shop.test', 'A'), UDP));
  assert.equal(existing.rcode, 'NOERROR');
  assert.equal(existing.answers?.length, 0, 'an existing name with other types does not match the wildcard');
  const below = wire(answer(snap, q('y.x.dev.shop.test', 'A'), UDP));
  assert.equal(below.rcode, 'NXDOMAIN', 'closest encloser x.dev has no wildcard');
  const wNodata = wire(answer(snap, q('foo.dev.shop.test', 'MX'), UDP));
  assert.equal(wNodata.rcode, 'NOERROR');
  assert.equal(wNodata.answers?.length, 0);
});

test('CNAME chains inside the zone are followed; dangling gives NXDOMAIN; outside stops', () => {
  const c = wire(answer(snap, q('alias.shop.test', 'A'), UDP));
  assert.deepEqual(c.answers?.map((a) => a.type), ['CNAME', 'CNAME', 'A']);
  assert.deepEqual(data(c.answers), ['alias2.shop.test', 'direct.shop.test', '198.51.100.7']);
  const d = wire(answer(snap, q('dangling.shop.test', 'A'), UDP));
  assert.equal(d.rcode, 'NXDOMAIN');
  assert.equal(d.answers?.[0]?.type, 'CNAME');
  const o = wire(answer(snap, q('outside.shop.test', 'A'), UDP));
  assert.equal(o.rcode, 'NOERROR');
  assert.deepEqual(data(o.answers), ['example.org']);
  const own = wire(answer(snap, q('alias.shop.test', 'CNAME'), UDP));
  assert.deepEqual(data(own.answers), ['alias2.shop.test']);
});

test('CNAME at the apex is flattened to the target addresses', () => {
  const a = wire(answer(snap, q('shop.test', 'A'), UDP));
  assert.deepEqual(a.answers?.map((x) => [x.type, x.name]), [['A', 'shop.test']]);
  assert.deepEqual(data(a.answers), ['198.51.100.7']);
  const mx = wire(answer(snap, q('shop.test', 'MX'), UDP));
  assert.deepEqual(data(mx.answers), [{ preference: 10, exchange: 'mail.shop.test' }]);
  assert.deepEqual(data(mx.additionals?.filter((x) => x.type === 'A')), ['198.51.100.25'], 'MX target address in additional');
  const ns = wire(answer(snap, q('shop.test', 'NS'), UDP));
  assert.deepEqual(data(ns.answers), ['ns1.rampart.test', 'ns2.rampart.test']);
});

test('ANY is answered with one RRset (RFC 8482)', () => {
  const r = wire(answer(snap, q('direct.shop.test', 'ANY'), UDP));
  assert.deepEqual(r.answers?.map((x) => x.type), ['A']);
});

test('delegation inside the zone: referral with glue, not authoritative', () => {
  const r = wire(answer(snap, q('host.delegated.shop.test', 'A'), UDP));
  assert.equal(r.flag_aa, false);
  assert.equal(r.answers?.length, 0);
  assert.deepEqual(data(r.authorities), ['ns.delegated.shop.test']);
  assert.deepEqual(data(r.additionals), ['198.51.100.53']);
  const ds = wire(answer(snap, q('delegated.shop.test', 'DS'), UDP));
  assert.equal(ds.flag_aa, true, 'DS at the cut is answered by the parent side');
  assert.equal(ds.authorities?.[0]?.type, 'SOA');
  const nsq = wire(answer(snap, q('delegated.shop.test', 'NS'), UDP));
  assert.equal(nsq.flag_aa, false, 'NS at the cut is a referral');
});

test('SRV, CAA, PTR, TXT', () => {
  assert.deepEqual(data(wire(answer(snap, q('_sip._tcp.shop.test', 'SRV'), UDP)).answers), [{ priority: 10, weight: 5, port: 5060, target: 'mail.shop.test' }]);
  const caa = wire(answer(snap, q('shop.test', 'CAA'), UDP)).answers?.[0];
  assert.ok(caa?.type === 'CAA' && caa.data.value === 'letsencrypt.org' && caa.data.tag === 'issue');
  assert.deepEqual(data(wire(answer(snap, q('ptr.shop.test', 'PTR'), UDP)).answers), ['www.shop.test']);
  const txt = wire(answer(snap, q('shop.test', 'TXT'), UDP)).answers?.[0];
  assert.ok(txt?.type === 'TXT');
  assert.deepEqual(txt.data, [Buffer.from('v=spf1 mx -all')]);
});

test('EDNS: OPT echoed with our payload size; BADVERS for version 1', () => {
  const opt = { type: 'OPT' as const, name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
  const r = wire(answer(snap, q('direct.shop.test', 'A', { additionals: [opt] }), UDP));
  const o = r.additionals?.find((x) => x.type === 'OPT');
  assert.ok(o && o.type === 'OPT');
  assert.equal(o.udpPayloadSize, 1232);
  assert.equal(o.ednsVersion, 0);
  const bad = answer(snap, q('direct.shop.test', 'A', { additionals: [{ ...opt, ednsVersion: 1 }] }), UDP);
  assert.equal(responseRcode(bad), 16);
  assert.equal(bad.answers?.length, 0);
  const none = wire(answer(snap, q('direct.shop.test', 'A'), UDP));
  assert.equal(none.additionals?.length, 0, 'no OPT without EDNS in the query');
});

test('truncation: large answer over UDP sets TC with an empty answer; TCP and big EDNS get it all', () => {
  const udp = wire(answer(snap, q('big.shop.test', 'TXT'), UDP));
  assert.equal(udp.flag_tc, true);
  assert.equal(udp.answers?.length, 0);
  const tcp = wire(answer(snap, q('big.shop.test', 'TXT'), TCP));
  assert.equal(tcp.flag_tc, false);
  assert.equal(tcp.answers?.length, 60);
  const opt = { type: 'OPT' as const, name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
  const small = wire(answer(snap, q('big.shop.test', 'TXT', { additionals: [opt] }), UDP));
  assert.equal(small.flag_tc, true, '1232-byte server maximum still too small for ~4 KB');
  const big = buildDnsSnapshot([shopZone()], { ...EDGE, maxUdpPayload: 4096 });
  const ok = wire(answer(big, q('big.shop.test', 'TXT', { additionals: [opt] }), UDP));
  assert.equal(ok.flag_tc, false);
  assert.equal(ok.answers?.length, 60);
});

test('bad queries: no question → FORMERR, opcode NOTIFY → NOTIMP, CH class → REFUSED', () => {
  assert.equal(wire(answer(snap, { id: 1, flags: 0, questions: [] }, UDP)).rcode, 'FORMERR');
  assert.equal(wire(answer(snap, { ...q('shop.test', 'SOA'), flags: 4 << 11 }, UDP)).rcode, 'NOTIMP');
  assert.equal(wire(answer(snap, { id: 1, questions: [{ name: 'shop.test', type: 'TXT', class: 'CH' }] }, UDP)).rcode, 'REFUSED');
});

test('checkZone and buildDnsSnapshot reject broken zones with every problem', () => {
  const z = shopZone();
  const bad = { ...z, records: [...z.records, { id: 'x', type: 'A' as const, name: 'alias', content: '192.0.2.9' }, { id: 'y', type: 'A' as const, name: 'www', content: '192.0.2.8' }] };
  const problems = checkZone(bad);
  assert.ok(problems.some((p) => p.includes('alias.shop.test: CNAME together')), problems.join('\n'));
  assert.ok(problems.some((p) => p.includes('www.shop.test: proxied and unproxied')), problems.join('\n'));
  assert.throws(() => buildDnsSnapshot([bad], EDGE), DnsZoneError);
  assert.ok(checkZone({ ...z, records: [{ id: 'm', type: 'MX', name: 'x', content: 'mail', priority: 70000 }] }).length > 0);
  assert.ok(checkZone({ ...z, records: [{ id: 'm', type: 'A', name: 'x', content: '1.2.3' }] }).length > 0);
  assert.ok(checkZone({ ...z, records: [{ id: 'm', type: 'AAAA', name: 'x', content: '192.0.2.1' }] }).length > 0);
  assert.ok(checkZone({ ...z, records: [{ id: 'm', type: 'MX', name: 'x', content: 'mail', priority: 1, proxied: true } as unknown as DnsZoneInput['records'][number]] }).length > 0, 'proxied only for A/AAAA/CNAME');
  assert.deepEqual(checkZone(z), []);
});
