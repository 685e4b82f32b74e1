/**
 * A reader for MaxMind DB files (`.mmdb`, format 2.x: GeoLite2-Country, GeoLite2-ASN, the ip-location-db
 * packages). The whole file is held in one Buffer; a lookup walks the binary search tree (at most 32 nodes for
 * IPv4, 128 for IPv6) and returns the data-section offset of the record, which callers decode once and cache,
 * so a warm lookup allocates nothing.
 *
 * Layout: [search tree: node_count nodes of 2 records of record_size bits] [16 zero bytes] [data section]
 * ... "\xAB\xCD\xEFMaxMind.com" [metadata map]. A record < node_count is a node, == node_count is "no data",
 * > node_count points into the data section at (record - node_count - 16).
 */

const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');

export class MmdbError extends Error {
  readonly code = 'geoip.bad_mmdb';
  constructor(message: string) { super(message); this.name = 'MmdbError'; }
}

/** A decoded data-section value. */
export type MmdbValue = string | number | bigint | boolean | Buffer | MmdbValue[] | { [key: string]: MmdbValue };

export interface MmdbMetadata {
  readonly nodeCount: number;
  readonly recordSize: 24 | 28 | 32;
  readonly ipVersion: 4 | 6;
  readonly databaseType: string;
  readonly buildEpoch: number;
}

const T_POINTER = 1, T_STRING = 2, T_DOUBLE = 3, T_BYTES = 4, T_U16 = 5, T_U32 = 6, T_MAP = 7, T_I32 = 8, T_U64 = 9, T_U128 = 10, T_ARRAY = 11, T_CACHE = 12, T_END = 13, T_BOOL = 14, T_FLOAT = 15;

export class MmdbReader {
  readonly metadata: MmdbMetadata;
  readonly #buf: Buffer;
  readonly #nodeCount: number;
  readonly #recordSize: number;
  readonly #nodeBytes: number;
  readonly #dataStart: number;
  /** The node reached after 96 zero bits (where IPv4 lives in an IPv6 tree). */
  readonly #v4Start: number;
  // decoder cursor (single-threaded, reentrant only through #decode's own recursion)
  #pos = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
    const at = buf.lastIndexOf(METADATA_MARKER);
    if (at < 0) throw new MmdbError('not a MaxMind DB file (metadata marker missing)');
    const meta = this.#decodeAt(at + METADATA_MARKER.length, at + METADATA_MARKER.length);
    if (meta === null || typeof meta !== 'object' || Array.isArray(meta) || Buffer.isBuffer(meta)) throw new MmdbError('metadata is not a map');
    const m = meta as Record<string, MmdbValue>;
    const nodeCount = Number(m['node_count']);
    const recordSize = Number(m['record_size']);
    const ipVersion = Number(m['ip_version']);
    const major = Number(m['binary_format_major_version'] ?? 2);
    if (major !== 2) throw new MmdbError(`unsupported format version ${major}`);
    if (recordSize !== 24 && recordSize !== 28 && recordSize !== 32) throw new MmdbError(`unsupported record size ${recordSize}`);
    if (ipVersion !== 4 && ipVersion !== 6) throw new MmdbError(`bad ip_version ${ipVersion}`);
    if (!Number.isInteger(nodeCount) || nodeCount <= 0) throw new MmdbError('bad node_count');
    this.#nodeCount = nodeCount;
    this.#recordSize = recordSize;
    this.#nodeBytes = recordSize / 4;
    const treeSize = this.#nodeBytes * nodeCount;
    if (treeSize + 16 > at) throw new MmdbError('search tree larger than the file');
    this.#dataStart = treeSize + 16;
    this.metadata = { nodeCount, recordSize, ipVersion, databaseType: String(m['database_type'] ?? ''), buildEpoch: Number(m['build_epoch'] ?? 0) };
    let node = 0;
    if (ipVersion === 6) for (let i = 0; i < 96 && node < nodeCount; i++) node = this.#record(node, 0);
    this.#v4Start = node;
  }

  #record(node: number, bit: number): number {
    const b = this.#buf;
    const off = node * this.#nodeBytes;
    switch (this.#recordSize) {
      case 24: {
        const o = off + bit * 3;
        return (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
      }
      case 28: {
        const mid = b[off + 3]!;
        if (bit === 0) return (((mid & 0xf0) << 20) | (b[off]! << 16) | (b[off + 1]! << 8) | b[off + 2]!) >>> 0;
        return (((mid & 0x0f) << 24) | (b[off + 4]! << 16) | (b[off + 5]! << 8) | b[off + 6]!) >>> 0;
      }
      default:
        return b.readUInt32BE(off + bit * 4);
    }
  }

  /** The terminal record for an address, or -1 when the tree says "no data". */
  #resolve(record: number): number {
    if (record === this.#nodeCount) return -1;
    if (record < this.#nodeCount) return -1; // ran out of bits inside the tree (corrupt or bad depth)
    const off = record - this.#nodeCount - 16 + this.#dataStart;
    if (off < this.#dataStart || off >= this.#buf.length) throw new MmdbError('record points outside the data section');
    return off;
  }

  /** Data offset (absolute in the buffer) for an IPv4 address as an unsigned 32-bit number, or -1. */
  lookupV4(v: number): number {
    let node = this.#v4Start;
    const n = this.#nodeCount;
    for (let i = 31; i >= 0 && node < n; i--) node = this.#record(node, (v >>> i) & 1);
    return this.#resolve(node);
  }

  /** Data offset for an IPv6 address given as four 32-bit words (most significant first), or -1. */
  lookupV6(w0: number, w1: number, w2: number, w3: number): number {
    if (this.metadata.ipVersion === 4) return -1;
    let node = this.#walk(0, w0);
    node = this.#walk(node, w1);
    node = this.#walk(node, w2);
    return this.#resolve(this.#walk(node, w3));
  }

  #walk(start: number, w: number): number {
    let node = start;
    const n = this.#nodeCount;
    for (let i = 31; i >= 0 && node < n; i--) node = this.#record(node, (w >>> i) & 1);
    return node;
  }

  /** Decode the value at an absolute offset returned by a lookup. */
  decode(offset: number): MmdbValue {
    return this.#decodeAt(offset, this.#dataStart);
  }

  /**
   * Follow a path of map keys from the value at `offset` without decoding the rest, e.g. ['country', 'iso_code'].
   * Returns the decoded leaf, or undefined when a key is missing.
   */
  path(offset: number, keys: readonly string[]): MmdbValue | undefined {
    let pos = offset;
    for (const key of keys) {
      const found = this.#findKey(pos, key);
      if (found < 0) return undefined;
      pos = found;
    }
    return this.#decodeAt(pos, this.#dataStart);
  }

  /** Offset of the value under `key` in the map at `pos`, or -1. */
  #findKey(pos: number, key: string): number {
    const base = this.#dataStart;
    this.#pos = pos;
    let [type, size] = this.#control(base);
    if (type === T_POINTER) { this.#pos = size; [type, size] = this.#control(base); }
    if (type !== T_MAP) return -1;
    for (let i = 0; i < size; i++) {
      const k = this.#readKey(base);
      if (k === key) return this.#pos;
      this.#skip(base);
    }
    return -1;
  }

  #readKey(base: number): string {
    let [type, size] = this.#control(base);
    if (type === T_POINTER) {
      const back = this.#pos;
      this.#pos = size;
      [type, size] = this.#control(base);
      const s = this.#buf.toString('utf8', this.#pos, this.#pos + size);
      this.#pos = back;
      return s;
    }
    if (type !== T_STRING) throw new MmdbError(`map key of type ${type}`);
    const s = this.#buf.toString('utf8', this.#pos, this.#pos + size);
    this.#pos += size;
    return s;
  }

  /** Skip one value at the cursor. */
  #skip(base: number): void {
    const [type, size] = this.#control(base);
    switch (type) {
      case T_POINTER: return; // #control already consumed the pointer bytes
      case T_MAP: for (let i = 0; i < size * 2; i++) this.#skip(base); return;
      case T_ARRAY: for (let i = 0; i < size; i++) this.#skip(base); return;
      case T_BOOL: return;
      default: this.#pos += size;
    }
  }

  /**
   * Read a control byte (and extended type, size bytes) at the cursor. For a pointer, `size` is the absolute
   * offset pointed to and the cursor is left after the pointer.
   */
  #control(base: number): [number, number] {
    const b = this.#buf;
    if (this.#pos >= b.length) throw new MmdbError('data section truncated');
    const ctrl = b[this.#pos++]!;
    let type = ctrl >> 5;
    if (type === T_POINTER) {
      const ss = (ctrl >> 3) & 3;
      const vvv = ctrl & 7;
      let p: number;
      const o = this.#pos;
      if (ss === 0) { p = (vvv << 8) | b[o]!; this.#pos += 1; }
      else if (ss === 1) { p = ((vvv << 16) | (b[o]! << 8) | b[o + 1]!) + 2048; this.#pos += 2; }
      else if (ss === 2) { p = ((vvv << 24) | (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!) + 526336; this.#pos += 3; }
      else { p = b.readUInt32BE(o); this.#pos += 4; }
      return [T_POINTER, base + p];
    }
    if (type === 0) type = 7 + b[this.#pos++]!;
    let size = ctrl & 0x1f;
    if (size >= 29) {
      const o = this.#pos;
      if (size === 29) { size = 29 + b[o]!; this.#pos += 1; }
      else if (size === 30) { size = 285 + ((b[o]! << 8) | b[o + 1]!); this.#pos += 2; }
      else { size = 65821 + ((b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!); this.#pos += 3; }
    }
    return [type, size];
  }

  #decodeAt(pos: number, base: number): MmdbValue {
    const save = this.#pos;
    this.#pos = pos;
    try { return this.#decode(base, 0); } finally { this.#pos = save; }
  }

  #decode(base: number, depth: number): MmdbValue {
    if (depth > 64) throw new MmdbError('data nested too deeply');
    const b = this.#buf;
    const [type, size] = this.#control(base);
    const o = this.#pos;
    switch (type) {
      case T_POINTER: {
        const back = this.#pos;
        this.#pos = size;
        const v = this.#decode(base, depth + 1);
        this.#pos = back;
        return v;
      }
      case T_STRING: this.#pos += size; return b.toString('utf8', o, o + size);
      case T_DOUBLE: this.#pos += 8; return b.readDoubleBE(o);
      case T_FLOAT: this.#pos += 4; return b.readFloatBE(o);
      case T_BYTES: this.#pos += size; return Buffer.from(b.subarray(o, o + size));
      case T_U16: case T_U32: {
        let v = 0;
        for (let i = 0; i < size; i++) v = v * 256 + b[o + i]!;
        this.#pos += size;
        return v;
      }
      case T_I32: {
        let v = 0;
        for (let i = 0; i < size; i++) v = (v << 8) | b[o + i]!;
        this.#pos += size;
        return size === 4 ? v | 0 : v;
      }
      case T_U64: case T_U128: {
        let v = 0n;
        for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(b[o + i]!);
        this.#pos += size;
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case T_MAP: {
        const out: { [key: string]: MmdbValue } = {};
        for (let i = 0; i < size; i++) {
          const k = this.#decode(base, depth + 1);
          if (typeof k !== 'string') throw new MmdbError('map key is not a string');
          out[k] = this.#decode(base, depth + 1);
        }
        return out;
      }
      case T_ARRAY: {
        const out: MmdbValue[] = [];
        for (let i = 0; i < size; i++) out.push(this.#decode(base, depth + 1));
        return out;
      }
      case T_BOOL: return size !== 0;
      case T_CACHE: case T_END: throw new MmdbError(`unexpected data type ${type}`);
      default: throw new MmdbError(`unknown data type ${type}`);
    }
  }
}
