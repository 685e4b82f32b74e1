/**
 * A small MaxMind DB writer: enough to build test databases and to turn an operator's few ranges into an `.mmdb`.
 * Not tuned for large databases (the tree is built as objects in memory).
 */
import { parseCidr } from '../ip.ts';
import type { MmdbValue } from './mmdb.ts';

export interface MmdbEntry {
  /** A CIDR, IPv4 or IPv6 (IPv4 goes under ::/96 in an IPv6 tree). */
  readonly network: string;
  readonly data: MmdbValue;
}

export interface MmdbWriteOptions {
  readonly recordSize?: 24 | 28 | 32;
  readonly ipVersion?: 4 | 6;
  readonly databaseType?: string;
  /** Store repeated strings once and point to them (exercises the reader's pointers). */
  readonly pointers?: boolean;
}

interface TNode { l: TNode | Leaf | null; r: TNode | Leaf | null; index: number }
interface Leaf { data: MmdbValue; key: string }

const MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');

/** Build an `.mmdb` file. Entries may nest; a more specific network wins whatever the order given. */
export function writeMmdb(entries: readonly MmdbEntry[], opts: MmdbWriteOptions = {}): Buffer {
  const recordSize = opts.recordSize ?? 28;
  const ipVersion = opts.ipVersion ?? 6;
  const width = ipVersion === 6 ? 128 : 32;
  const prefixes = entries.map((e) => {
    const c = parseCidr(e.network.includes('/') ? e.network : e.network + (e.network.includes(':') ? '/128' : '/32'));
    if (!c) throw new Error(`bad network ${e.network}`);
    if (c.range.version === 6 && ipVersion === 4) throw new Error(`IPv6 network ${e.network} in an IPv4 database`);
    const start = BigInt(c.range.start);
    const offset = c.range.version === 4 && ipVersion === 6 ? 96 : 0;
    const bits = c.bits + offset;
    return { start, bits, data: e.data, key: JSON.stringify(e.data, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() + 'n' : v)) };
  });
  prefixes.sort((a, b) => a.bits - b.bits);
  const root: TNode = { l: null, r: null, index: 0 };
  for (const p of prefixes) {
    let node = root;
    for (let i = 0; i < p.bits; i++) {
      const bit = Number((p.start >> BigInt(width - 1 - i)) & 1n);
      const last = i === p.bits - 1;
      const leaf: Leaf = { data: p.data, key: p.key };
      if (last) { if (bit) node.r = leaf; else node.l = leaf; break; }
      let next = bit ? node.r : node.l;
      if (next === null || !('index' in next)) {
        const n: TNode = { l: next, r: next, index: 0 };
        if (bit) node.r = n; else node.l = n;
        next = n;
      }
      node = next;
    }
  }
  // number the nodes (preorder)
  const nodes: TNode[] = [];
  const walk = (n: TNode): void => {
    n.index = nodes.length;
    nodes.push(n);
    if (n.l && 'index' in n.l) walk(n.l);
    if (n.r && 'index' in n.r) walk(n.r);
  };
  walk(root);
  const nodeCount = nodes.length;
  // data section
  const enc = new Encoder(opts.pointers ?? false);
  const offsets = new Map<string, number>();
  const dataOf = (leaf: Leaf): number => {
    let o = offsets.get(leaf.key);
    if (o === undefined) { o = enc.value(leaf.data); offsets.set(leaf.key, o); }
    return o;
  };
  const recordOf = (x: TNode | Leaf | null): number => (x === null ? nodeCount : 'index' in x ? x.index : nodeCount + 16 + dataOf(x));
  const nodeBytes = recordSize / 4;
  const tree = Buffer.alloc(nodeCount * nodeBytes);
  for (const n of nodes) {
    const off = n.index * nodeBytes;
    const left = recordOf(n.l);
    const right = recordOf(n.r);
    if (recordSize === 24) { tree.writeUIntBE(left, off, 3); tree.writeUIntBE(right, off + 3, 3); }
    else if (recordSize === 32) { tree.writeUInt32BE(left, off); tree.writeUInt32BE(right, off + 4); }
    else {
      tree.writeUIntBE(left & 0xffffff, off, 3);
      tree[off + 3] = (((left >>> 24) & 0xf) << 4) | ((right >>> 24) & 0xf);
      tree.writeUIntBE(right & 0xffffff, off + 4, 3);
    }
  }
  const meta = new Encoder(false);
  meta.value({
    node_count: nodeCount, record_size: recordSize, ip_version: ipVersion, database_type: opts.databaseType ?? 'Rampart-Test',
    languages: ['en'], binary_format_major_version: 2, binary_format_minor_version: 0, build_epoch: 1_700_000_000,
    description: { en: 'written by rampart' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), enc.bytes(), MARKER, meta.bytes()]);
}

class Encoder {
  readonly #parts: Buffer[] = [];
  #len = 0;
  readonly #strings = new Map<string, number>();
  readonly #pointers: boolean;
  constructor(pointers: boolean) { this.#pointers = pointers; }

  bytes(): Buffer { return Buffer.concat(this.#parts); }

  #push(b: Buffer): void { this.#parts.push(b); this.#len += b.length; }

  #ctrl(type: number, size: number): void {
    const head: number[] = [];
    let first = type <= 7 ? type << 5 : 0;
    const ext: number[] = type > 7 ? [type - 7] : [];
    let sizeBytes: number[] = [];
    if (size < 29) first |= size;
    else if (size < 285) { first |= 29; sizeBytes = [size - 29]; }
    else if (size < 65821) { first |= 30; const s = size - 285; sizeBytes = [s >> 8, s & 255]; }
    else { first |= 31; const s = size - 65821; sizeBytes = [(s >> 16) & 255, (s >> 8) & 255, s & 255]; }
    head.push(first, ...ext, ...sizeBytes);
    this.#push(Buffer.from(head));
  }

  #pointer(p: number): void {
    if (p < 2048) this.#push(Buffer.from([(1 << 5) | (p >> 8), p & 255]));
    else if (p < 2048 + 524288) { const q = p - 2048; this.#push(Buffer.from([(1 << 5) | (1 << 3) | (q >> 16), (q >> 8) & 255, q & 255])); }
    else if (p < 526336 + 134217728) { const q = p - 526336; this.#push(Buffer.from([(1 << 5) | (2 << 3) | (q >>> 24), (q >> 16) & 255, (q >> 8) & 255, q & 255])); }
    else { const b = Buffer.alloc(5); b[0] = (1 << 5) | (3 << 3); b.writeUInt32BE(p, 1); this.#push(b); }
  }

  /** Append a value; returns its offset in this section. */
  value(v: MmdbValue): number {
    const at = this.#len;
    if (typeof v === 'string') {
      const seen = this.#pointers ? this.#strings.get(v) : undefined;
      if (seen !== undefined) { this.#pointer(seen); return at; }
      const b = Buffer.from(v, 'utf8');
      this.#ctrl(2, b.length);
      this.#push(b);
      if (this.#pointers) this.#strings.set(v, at);
    } else if (typeof v === 'boolean') this.#ctrl(14, v ? 1 : 0);
    else if (typeof v === 'number' && !Number.isInteger(v)) { this.#ctrl(3, 8); const b = Buffer.alloc(8); b.writeDoubleBE(v); this.#push(b); }
    else if (typeof v === 'number' || typeof v === 'bigint') {
      let x = BigInt(v);
      if (x < 0n) { this.#ctrl(8, 4); const b = Buffer.alloc(4); b.writeInt32BE(Number(x)); this.#push(b); return at; }
      const type = x < 65536n ? 5 : x < 4294967296n ? 6 : x < 1n << 64n ? 9 : 10;
      const bytes: number[] = [];
      while (x > 0n) { bytes.unshift(Number(x & 255n)); x >>= 8n; }
      this.#ctrl(type, bytes.length);
      this.#push(Buffer.from(bytes));
    } else if (Buffer.isBuffer(v)) { this.#ctrl(4, v.length); this.#push(v); }
    else if (Array.isArray(v)) { this.#ctrl(11, v.length); for (const x of v) this.value(x); }
    else {
      const keys = Object.keys(v);
      this.#ctrl(7, keys.length);
      for (const k of keys) { this.value(k); this.value(v[k] as MmdbValue); }
    }
    return at;
  }
}
