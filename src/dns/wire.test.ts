import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { answer } from './answer.ts';
import { axfrResponses } from './axfr.ts';
import { buildDnsSnapshot } from './snapshot.ts';
import { EDGE, shopZone } from './test-fixture.ts';
import { encodeMessage } from './wire.ts';

const snap = buildDnsSnapshot([shopZone()], EDGE);

function same(p: Packet): { ours: number; theirs: number } {
  const ours = encodeMessage(p);
  const theirs = dnsPacket.encode(p);
  const a = dnsPacket.decode(ours);
  const b = dnsPacket.decode(theirs);
  assert.deepEqual(a, b);
  return { ours: ours.length, theirs: theirs.length };
}

test('compressed encoding decodes to exactly what dns-packet encodes, and is smaller', () => {
  const opt = { type: 'OPT' as const, name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
  const queries: Array<[string, string]> = [
    ['direct.shop.test', 'A'], ['Direct.SHOP.test', 'AAAA'], ['shop.test', 'MX'], ['shop.test', 'NS'], ['shop.test', 'SOA'],
    ['shop.test', 'CAA'], ['shop.test', 'TXT'], ['_sip._tcp.shop.test', 'SRV'], ['ptr.shop.test', 'PTR'], ['alias.shop.test', 'A'],
    ['nope.shop.test', 'A'], ['host.delegated.shop.test', 'A'], ['www.shop.test', 'AAAA'], ['big.shop.test', 'TXT'], ['x.dev.shop.test', 'TYPE99'],
  ];
  let saved = 0;
  for (const [name, type] of queries) {
    const q = { id: 7, flags: 0, questions: [{ name, type: (type === 'TYPE99' ? 'UNKNOWN_99' : type) as 'A' }], additionals: [opt] };
    const { ours, theirs } = same(answer(snap, q, { address: '127.0.0.1', transport: 'tcp' }));
    assert.ok(ours <= theirs, `${name} ${type}`);
    saved += theirs - ours;
  }
  assert.ok(saved > 500, `saved ${saved} bytes`);
  for (const p of axfrResponses(snap, { id: 1, questions: [{ name: 'shop.test', type: 'AXFR' }] }, true)) same(p);
});

test('IPv6 forms and fallbacks', () => {
  for (const ip of ['::', '::1', '2001:db8::', '2001:db8:0:0:1:0:0:1', 'fe80::1:2', '::ffff:192.0.2.1', '64:ff9b::198.51.100.7', '1:2:3:4:5:6:7:8']) {
    same({ type: 'response', id: 1, answers: [{ type: 'AAAA', name: 'a.test', ttl: 1, data: ip }] });
  }
  // OPT with options is left to dns-packet
  same({ type: 'response', id: 1, additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 512, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [{ code: 12, type: 'PADDING', length: 4 }] }] });
});
