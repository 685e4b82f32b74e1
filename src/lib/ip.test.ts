import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseIp, parseIpv4, parseIpv6, normalizeIp, isValidIp, compareIp, parseCidr, cidrContains, parseIpRange,
  IpSet, IpSetEntryError, ipPrefix, formatIpv6,
} from './ip.ts';

test('parses IPv4 strictly', () => {
  assert.equal(parseIpv4('1.2.3.4'), 0x01020304);
  assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIpv4('0.0.0.0'), 0);
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', 'a.b.c.d', '1.2.3.4 ', '', '1.2.3.']) {
    assert.equal(parseIpv4(bad), -1, bad);
  }
});

test('parses IPv6 forms', () => {
  assert.equal(parseIpv6('::'), 0n);
  assert.equal(parseIpv6('::1'), 1n);
  assert.equal(parseIpv6('2001:db8::1'), 0x20010db8000000000000000000000001n);
  assert.equal(parseIpv6('2001:DB8:0:0:0:0:0:1'), 0x20010db8000000000000000000000001n);
  assert.equal(parseIpv6('fe80::1%eth0'), 0xfe800000000000000000000000000001n);
  assert.equal(parseIpv6('64:ff9b::192.0.2.33'), 0x0064ff9b0000000000000000c0000221n);
  for (const bad of ['1::2::3', ':::', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'g::1', '::1.2.3', '1:2:3:4:5:6:7::8']) {
    assert.equal(parseIpv6(bad), null, bad);
  }
});

test('IPv4-mapped IPv6 is IPv4', () => {
  assert.deepEqual(parseIp('::ffff:1.2.3.4'), { version: 4, value: 0x01020304 });
  assert.deepEqual(parseIp('::ffff:0102:0304'), { version: 4, value: 0x01020304 });
  assert.equal(normalizeIp('::FFFF:10.0.0.1'), '10.0.0.1');
});

test('normalises and compares', () => {
  assert.equal(normalizeIp('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(normalizeIp('2001:db8:0:1:0:0:0:1'), '2001:db8:0:1::1');
  assert.equal(formatIpv6(0x20010db8000100000001000000000001n), '2001:db8:1:0:1::1');
  assert.equal(normalizeIp('nope'), null);
  assert.equal(isValidIp('1.2.3.4'), true);
  assert.equal(isValidIp('1.2.3.400'), false);
  const a = parseIp('1.2.3.4');
  const b = parseIp('1.2.3.5');
  const c = parseIp('::1');
  assert.ok(a && b && c);
  assert.equal(compareIp(a, b), -1);
  assert.equal(compareIp(b, a), 1);
  assert.equal(compareIp(a, a), 0);
  assert.equal(compareIp(c, a), 1);
});

test('CIDRs mask host bits and contain', () => {
  const c = parseCidr('10.1.2.3/16');
  assert.ok(c);
  assert.deepEqual(c.range, { version: 4, start: 0x0a010000, end: 0x0a01ffff });
  assert.equal(cidrContains(c, '10.1.255.255'), true);
  assert.equal(cidrContains(c, '10.2.0.0'), false);
  assert.equal(cidrContains(c, '::ffff:10.1.0.9'), true);
  const all = parseCidr('0.0.0.0/0');
  assert.ok(all);
  assert.equal(cidrContains(all, '255.255.255.255'), true);
  assert.equal(cidrContains(all, '::1'), false);
  const v6 = parseCidr('2001:db8::/32');
  assert.ok(v6);
  assert.equal(cidrContains(v6, '2001:db8:ffff::1'), true);
  assert.equal(cidrContains(v6, '2001:db9::1'), false);
  assert.equal(cidrContains(v6, '1.2.3.4'), false);
  const mapped = parseCidr('::ffff:192.168.0.0/112');
  assert.ok(mapped);
  assert.equal(mapped.version, 4);
  assert.equal(mapped.bits, 16);
  for (const bad of ['1.2.3.4/33', '1.2.3.4/', '1.2.3.4/a', '::/129', 'x/8']) assert.equal(parseCidr(bad), null, bad);
});

test('ranges', () => {
  assert.deepEqual(parseIpRange('10.0.0.5-10.0.0.9'), { version: 4, start: 0x0a000005, end: 0x0a000009 });
  assert.equal(parseIpRange('10.0.0.9-10.0.0.5'), null);
  assert.equal(parseIpRange('10.0.0.1-::1'), null);
  assert.deepEqual(parseIpRange('::1-::5'), { version: 6, start: 1n, end: 5n });
});

test('IpSet merges and looks up v4 and v6', () => {
  const s = IpSet.from(['10.0.0.0/8', '192.168.1.1', '172.16.0.5-172.16.0.10', '2001:db8::/48', '::1', '10.0.0.0/24']);
  for (const yes of ['10.0.0.1', '10.255.255.255', '192.168.1.1', '172.16.0.5', '172.16.0.10', '2001:db8:0:ffff::1', '::1', '::ffff:10.9.9.9']) {
    assert.equal(s.has(yes), true, yes);
  }
  for (const no of ['9.255.255.255', '11.0.0.0', '192.168.1.2', '172.16.0.4', '172.16.0.11', '2001:db8:1::', '::2', 'junk', '']) {
    assert.equal(s.has(no), false, no);
  }
  assert.equal(s.size, 5);
  assert.equal(IpSet.from(['1.0.0.0-1.0.0.255', '1.0.1.0/24']).size, 1, 'adjacent ranges merge');
  assert.equal(IpSet.from([]).has('1.1.1.1'), false);
  assert.throws(() => IpSet.from(['1.1.1.1', 'bad']), (e: unknown) => e instanceof IpSetEntryError && e.index === 1);
});

test('IpSet agrees with a linear scan on random data', () => {
  let seed = 12345;
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed; };
  const entries: string[] = [];
  const cidrs: (ReturnType<typeof parseCidr>)[] = [];
  for (let i = 0; i < 300; i++) {
    const v = rnd();
    const bits = 16 + (rnd() % 17);
    const text = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${bits}`;
    entries.push(text);
    cidrs.push(parseCidr(text));
  }
  const s = IpSet.from(entries);
  for (let i = 0; i < 2000; i++) {
    const v = rnd();
    const ip = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    const expected: boolean = cidrs.some((c) => c !== null && cidrContains(c, ip));
    assert.equal(s.has(ip), expected, ip);
  }
});

test('ipPrefix', () => {
  assert.equal(ipPrefix('203.0.113.77'), '203.0.113.0/24');
  assert.equal(ipPrefix('203.0.113.77', 16), '203.0.0.0/16');
  assert.equal(ipPrefix('::ffff:203.0.113.77'), '203.0.113.0/24');
  assert.equal(ipPrefix('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  assert.equal(ipPrefix('2001:db8:1:2:3:4:5:6', 24, 48), '2001:db8:1::/48');
  assert.equal(ipPrefix('1.2.3.4', 32), '1.2.3.4/32');
  assert.equal(ipPrefix('bad'), 'bad');
});

test('IPv6 parsing agrees with node:net on random strings', async () => {
  const { isIPv6 } = await import('node:net');
  const alphabet = '0123456789abcdefABCDEF:::::....';
  let seed = 99;
  const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
  const fixed = ['1::', '::', '::1', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', ':1::', '1:::2',
    '1::2:', '::ffff:1.2.3.4', '1::1.2.3.4', '::1.2.3.4:5', '12345::', 'a:b:c:d:e:f:a:b', 'a:b:c:d:e:f:a:b:c', '1:2'];
  const cases = [...fixed];
  for (let i = 0; i < 20000; i++) {
    let s = '';
    const n = 2 + rnd(22);
    for (let j = 0; j < n; j++) s += alphabet[rnd(alphabet.length)];
    cases.push(s);
  }
  for (const s of cases) {
    if (s.includes('.') && !/\d+\.\d+\.\d+\.\d+$/.test(s)) continue;
    assert.equal(parseIpv6(s) !== null, isIPv6(s), s);
  }
});
