import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hash32 } from './hash.ts';
import { HLL_REGISTERS, HyperLogLog, mergeEncodedHll } from './hll.ts';

const ips = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => { const x = from + i; return `198.${(x >> 16) & 255}.${(x >> 8) & 255}.${x & 255}`; });

describe('HyperLogLog', () => {
  it('is exact-ish for small sets and ignores repeats', () => {
    const h = new HyperLogLog();
    assert.equal(h.estimate(), 0);
    assert.ok(h.isEmpty());
    for (let r = 0; r < 3; r++) for (const ip of ips(0, 50)) h.add(ip);
    assert.equal(h.estimate(), 50);
  });

  for (const n of [1_000, 10_000, 200_000]) {
    it(`estimates ${n} distinct values within 5 %`, () => {
      const h = new HyperLogLog();
      for (const ip of ips(7, n)) h.add(ip);
      const e = h.estimate();
      assert.ok(Math.abs(e - n) / n < 0.05, `estimate ${e} for ${n}`);
    });
  }

  it('merges as a union: overlapping halves count once', () => {
    const a = new HyperLogLog();
    const b = new HyperLogLog();
    for (const ip of ips(0, 6000)) a.add(ip);
    for (const ip of ips(4000, 6000)) b.add(ip);
    const all = new HyperLogLog();
    for (const ip of ips(0, 10_000)) all.add(ip);
    a.merge(b);
    assert.deepEqual(a.registers, all.registers);
    assert.equal(mergeEncodedHll(HyperLogLog.decode(a.encode()).encode(), b.encode()), all.encode());
  });

  it('encodes sparse when few registers are set and dense otherwise, and round-trips', () => {
    const small = new HyperLogLog();
    for (const ip of ips(0, 10)) small.add(ip);
    const s = small.encode();
    assert.equal(s[0], 's');
    assert.ok(s.length < 60);
    assert.deepEqual(HyperLogLog.decode(s).registers, small.registers);
    const big = new HyperLogLog();
    for (const ip of ips(0, 20_000)) big.add(ip);
    const d = big.encode();
    assert.equal(d[0], 'd');
    assert.equal(Buffer.from(d.slice(1), 'base64').length, HLL_REGISTERS);
    assert.deepEqual(HyperLogLog.decode(d).registers, big.registers);
    assert.equal(new HyperLogLog().encode(), '');
    assert.equal(mergeEncodedHll('', s), s);
    assert.equal(mergeEncodedHll(s, ''), s);
  });

  it('refuses malformed encodings', () => {
    for (const bad of ['x', 'sAAAA', 'sAAA', 'd' + Buffer.alloc(10).toString('base64'), 's' + Buffer.from([0xff, 0xff, 1]).toString('base64'), 's' + Buffer.from([0, 1, 99]).toString('base64'), 's!!!']) {
      assert.throws(() => HyperLogLog.decode(bad), RangeError, bad);
    }
  });

  it('hashes strings to well-spread 32-bit values', () => {
    assert.equal(hash32('10.0.0.1'), hash32('10.0.0.1'));
    assert.notEqual(hash32('10.0.0.1'), hash32('10.0.0.2'));
    const top = new Set<number>();
    for (const ip of ips(0, 4096)) top.add(hash32(ip) >>> 24);
    assert.ok(top.size > 250, `top bytes used: ${top.size}/256`);
  });
});
