/**
 * HyperLogLog for unique visitors: 2^12 = 4096 one-byte registers (standard error 1.04/√4096 ≈ 1.6 %), a 32-bit
 * hash, linear counting below 2.5 m. Mergeable by taking the register-wise maximum, so minute sketches fold into
 * hours and ranges without double counting a visitor seen in several buckets.
 *
 * Encoding (JSON-friendly text): '' = empty; 's' + base64 of (u16 BE index, u8 rank) triples when few registers
 * are set (typical of a quiet minute); 'd' + base64 of the 4096 registers otherwise.
 */
import { hash32 } from './hash.ts';

export const HLL_PRECISION = 12;
export const HLL_REGISTERS = 1 << HLL_PRECISION;
const RANK_BITS = 32 - HLL_PRECISION;
const ALPHA = 0.7213 / (1 + 1.079 / HLL_REGISTERS);
const INV_POW2 = Array.from({ length: RANK_BITS + 2 }, (_, v) => 2 ** -v);

export class HyperLogLog {
  readonly registers: Uint8Array;

  constructor(registers?: Uint8Array) {
    this.registers = registers ?? new Uint8Array(HLL_REGISTERS);
  }

  /** Add a value (an IP address). */
  add(value: string): void { this.addHash(hash32(value)); }

  addHash(h: number): void {
    const idx = h >>> RANK_BITS;
    const rest = h & ((1 << RANK_BITS) - 1);
    // rank = position of the leftmost 1 in the remaining RANK_BITS bits (RANK_BITS + 1 when all zero)
    const rank = rest === 0 ? RANK_BITS + 1 : Math.clz32(rest) - HLL_PRECISION + 1;
    if (rank > this.registers[idx]!) this.registers[idx] = rank;
  }

  merge(other: HyperLogLog): void {
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < HLL_REGISTERS; i++) if (b[i]! > a[i]!) a[i] = b[i]!;
  }

  /** Estimated number of distinct values added. */
  estimate(): number {
    let sum = 0;
    let zeros = 0;
    const r = this.registers;
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = r[i]!;
      sum += INV_POW2[v]!;
      if (v === 0) zeros++;
    }
    const m = HLL_REGISTERS;
    const raw = (ALPHA * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    const two32 = 2 ** 32;
    if (raw > two32 / 30) return Math.round(-two32 * Math.log(1 - raw / two32));
    return Math.round(raw);
  }

  isEmpty(): boolean {
    for (let i = 0; i < HLL_REGISTERS; i++) if (this.registers[i] !== 0) return false;
    return true;
  }

  encode(): string {
    const r = this.registers;
    let set = 0;
    for (let i = 0; i < HLL_REGISTERS; i++) if (r[i] !== 0) set++;
    if (set === 0) return '';
    if (set * 3 < HLL_REGISTERS) {
      const out = Buffer.allocUnsafe(set * 3);
      let o = 0;
      for (let i = 0; i < HLL_REGISTERS; i++) {
        const v = r[i]!;
        if (v === 0) continue;
        out.writeUInt16BE(i, o);
        out[o + 2] = v;
        o += 3;
      }
      return 's' + out.toString('base64');
    }
    return 'd' + Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString('base64');
  }

  /** Decode an encoded sketch; throws RangeError on anything malformed. */
  static decode(text: string): HyperLogLog {
    const h = new HyperLogLog();
    if (text === '') return h;
    const kind = text[0];
    const body = text.slice(1);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new RangeError('uniques: not base64');
    const buf = Buffer.from(body, 'base64');
    if (kind === 'd') {
      if (buf.length !== HLL_REGISTERS) throw new RangeError(`uniques: dense sketch of ${buf.length} bytes, expected ${HLL_REGISTERS}`);
      for (let i = 0; i < HLL_REGISTERS; i++) {
        const v = buf[i]!;
        if (v > RANK_BITS + 1) throw new RangeError('uniques: register out of range');
        h.registers[i] = v;
      }
      return h;
    }
    if (kind === 's') {
      if (buf.length % 3 !== 0) throw new RangeError('uniques: truncated sparse sketch');
      for (let o = 0; o < buf.length; o += 3) {
        const i = buf.readUInt16BE(o);
        const v = buf[o + 2]!;
        if (i >= HLL_REGISTERS || v === 0 || v > RANK_BITS + 1) throw new RangeError('uniques: register out of range');
        if (v > h.registers[i]!) h.registers[i] = v;
      }
      return h;
    }
    throw new RangeError('uniques: unknown encoding');
  }
}

/** Max-merge two encoded sketches. */
export function mergeEncodedHll(a: string, b: string): string {
  if (a === '') return b;
  if (b === '' || a === b) return a;
  const h = HyperLogLog.decode(a);
  h.merge(HyperLogLog.decode(b));
  return h.encode();
}
