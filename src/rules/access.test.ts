import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpSet, parseCidr, cidrContains } from '../lib/ip.ts';
import { AccessRuleSchema, compileAccessRules, rangeToPrefixes } from './index.ts';
import type { AccessRule } from './index.ts';

const ar = (id: string, mode: string, target: string, value: string | number): AccessRule => AccessRuleSchema.parse({ id, mode, target, value });

test('precedence: longest prefix > ASN > country; first of equals wins', () => {
  const m = compileAccessRules([
    ar('country-fr', 'block', 'country', 'fr'),
    ar('asn', 'challenge', 'asn', 'AS64496'),
    ar('net16', 'block', 'cidr', '203.0.0.0/16'),
    ar('net24', 'allow', 'cidr', '203.0.113.0/24'),
    ar('ip', 'log', 'ip', '203.0.113.7'),
    ar('ip-dup', 'block', 'ip', '203.0.113.7'),
    ar('v6', 'block', 'cidr', '2001:db8::/32'),
    ar('v6ip', 'allow', 'ip', '2001:db8::1'),
    ar('range', 'challenge', 'range', '198.51.100.10-198.51.100.20'),
  ]);
  assert.equal(m.size, 9);
  assert.equal(m.match('203.0.113.7', 'FR', 64496)?.id, 'ip');
  assert.equal(m.match('::ffff:203.0.113.7')?.id, 'ip');
  assert.equal(m.match('203.0.113.8', 'FR', 64496)?.id, 'net24');
  assert.equal(m.match('203.0.1.1', 'FR')?.id, 'net16');
  assert.equal(m.match('192.0.2.1', 'FR', 64496)?.id, 'asn');
  assert.equal(m.match('192.0.2.1', 'FR', 1)?.id, 'country-fr');
  assert.equal(m.match('192.0.2.1', 'DE', 1), null);
  assert.equal(m.match('2001:db8::1')?.id, 'v6ip');
  assert.equal(m.match('2001:db8::2')?.id, 'v6');
  assert.equal(m.match('2001:db9::1'), null);
  assert.equal(m.match('198.51.100.9'), null);
  assert.equal(m.match('198.51.100.10')?.id, 'range');
  assert.equal(m.match('198.51.100.20')?.id, 'range');
  assert.equal(m.match('198.51.100.21'), null);
  assert.equal(m.match('junk'), null);
});

test('rangeToPrefixes covers exactly the range', () => {
  assert.deepEqual(rangeToPrefixes({ version: 4, start: 0x0a000000, end: 0x0a0000ff }), [{ start: 0x0a000000, bits: 24 }]);
  assert.deepEqual(rangeToPrefixes({ version: 4, start: 0, end: 0xffffffff }), [{ start: 0, bits: 0 }]);
  const p = rangeToPrefixes({ version: 4, start: 5, end: 20 });
  assert.deepEqual(p.map((x) => `${x.start}/${x.bits}`), ['5/32', '6/31', '8/29', '16/30', '20/32']);
  assert.deepEqual(rangeToPrefixes({ version: 6, start: 0n, end: (1n << 64n) - 1n }), [{ start: 0n, bits: 64 }]);
});

test('100,000 CIDR entries agree with an IpSet', () => {
  let seed = 7;
  const rnd = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed; };
  const rules: AccessRule[] = [];
  const texts: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    const v = rnd();
    const bits = 20 + (rnd() % 13);
    const t = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${bits}`;
    texts.push(t);
    rules.push({ id: `r${i}`, mode: 'block', target: 'cidr', value: t });
  }
  const m = compileAccessRules(rules);
  const set = IpSet.from(texts);
  for (let i = 0; i < 20_000; i++) {
    const v = rnd();
    const ip = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    const hit = m.match(ip);
    assert.equal(hit !== null, set.has(ip), ip);
    if (hit) {
      const c = parseCidr(String(hit.value));
      assert.ok(c && cidrContains(c, ip));
    }
  }
});
