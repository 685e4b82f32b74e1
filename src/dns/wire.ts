/**
 * Response encoder with name compression (RFC 1035 §4.1.4), for the record types the server produces.
 * dns-packet does not compress; compressed answers are ~30-50% smaller, so they truncate later and cost less to send.
 * Owner names and the names inside NS, CNAME, PTR, MX and SOA data are compressed (not SRV's target, RFC 2782);
 * suffixes match case-sensitively, so every name decodes exactly as written. Anything unexpected falls back to
 * dns-packet's encoder.
 */
import { createRequire } from 'node:module';
import dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';

const require = createRequire(import.meta.url);
const types = require('dns-packet/types.js') as { toType(name: string): number };
const CLASSES: Record<string, number> = { IN: 1, CS: 2, CH: 3, HS: 4, ANY: 255 };

class Unsupported extends Error {}

class Writer {
  buf = Buffer.allocUnsafe(512);
  off = 0;
  readonly names = new Map<string, number>();

  ensure(n: number): void {
    if (this.off + n <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.off + n));
    this.buf.copy(b, 0, 0, this.off);
    this.buf = b;
  }
  u8(v: number): void { this.ensure(1); this.buf[this.off++] = v & 0xff; }
  u16(v: number): void { this.ensure(2); this.buf.writeUInt16BE(v & 0xffff, this.off); this.off += 2; }
  u32(v: number): void { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.off); this.off += 4; }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.off); this.off += b.length; }

  name(n: string, compress: boolean): void {
    const s = n.replace(/^\.|\.$/g, '');
    if (s === '') { this.u8(0); return; }
    const labels = s.split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.');
      const ptr = compress ? this.names.get(suffix) : undefined;
      if (ptr !== undefined) { this.u16(0xc000 | ptr); return; }
      if (this.off < 0x3fff) this.names.set(suffix, this.off);
      const b = Buffer.from(labels[i] ?? '', 'utf8');
      if (b.length === 0 || b.length > 63) throw new Unsupported('label length');
      this.u8(b.length);
      this.bytes(b);
    }
    this.u8(0);
  }
}

function ipv4(s: string): number[] {
  const p = s.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Unsupported('ipv4');
  return p;
}

function ipv6(input: string): number[] {
  let s = input;
  if (s.includes('.')) {
    const i = s.lastIndexOf(':');
    const [a = 0, b = 0, c = 0, d = 0] = ipv4(s.slice(i + 1));
    s = `${s.slice(0, i + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parts = s.split('::');
  if (parts.length > 2) throw new Unsupported('ipv6');
  const left = parts[0] ? parts[0].split(':') : [];
  const right = parts.length === 2 && parts[1] ? parts[1].split(':') : [];
  const fill = parts.length === 2 ? 8 - left.length - right.length : 0;
  if (fill < 0) throw new Unsupported('ipv6');
  const groups = [...left, ...Array<string>(fill).fill('0'), ...right];
  if (groups.length !== 8) throw new Unsupported('ipv6');
  const out: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) throw new Unsupported('ipv6');
    const v = parseInt(g, 16);
    out.push(v >> 8, v & 0xff);
  }
  return out;
}

function rdata(w: Writer, a: Answer): void {
  switch (a.type) {
    case 'A': w.bytes(Uint8Array.from(ipv4(a.data))); return;
    case 'AAAA': w.bytes(Uint8Array.from(ipv6(a.data))); return;
    case 'CNAME':
    case 'NS':
    case 'PTR': w.name(a.data, true); return;
    case 'MX': w.u16(a.data.preference ?? 0); w.name(a.data.exchange, true); return;
    case 'SOA':
      w.name(a.data.mname, true); w.name(a.data.rname, true);
      w.u32(a.data.serial ?? 0); w.u32(a.data.refresh ?? 0); w.u32(a.data.retry ?? 0); w.u32(a.data.expire ?? 0); w.u32(a.data.minimum ?? 0);
      return;
    case 'SRV': w.u16(a.data.priority ?? 0); w.u16(a.data.weight ?? 0); w.u16(a.data.port); w.name(a.data.target, false); return;
    case 'TXT': {
      const parts = Array.isArray(a.data) ? a.data : [a.data];
      for (const p of parts) {
        const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
        if (b.length > 255) throw new Unsupported('txt string');
        w.u8(b.length);
        w.bytes(b);
      }
      return;
    }
    case 'CAA': {
      const tag = Buffer.from(a.data.tag, 'utf8');
      w.u8(a.data.issuerCritical ? 128 : (a.data.flags ?? 0));
      w.u8(tag.length);
      w.bytes(tag);
      w.bytes(Buffer.from(a.data.value, 'utf8'));
      return;
    }
    default:
      throw new Unsupported(a.type);
  }
}

function rr(w: Writer, a: Answer): void {
  if (a.type === 'OPT') {
    if (a.options && a.options.length > 0) throw new Unsupported('opt options');
    w.u8(0);
    w.u16(41);
    w.u16(a.udpPayloadSize || 4096);
    w.u8(a.extendedRcode || 0);
    w.u8(a.ednsVersion || 0);
    w.u16(a.flags || 0);
    w.u16(0);
    return;
  }
  w.name(a.name, true);
  w.u16(types.toType(a.type));
  const klass = CLASSES[a.class ?? 'IN'];
  if (klass === undefined) throw new Unsupported('class');
  w.u16(klass);
  w.u32(a.ttl ?? 0);
  const lenAt = w.off;
  w.u16(0);
  rdata(w, a);
  w.buf.writeUInt16BE(w.off - lenAt - 2, lenAt);
}

function encodeCompressed(p: Packet): Buffer {
  const w = new Writer();
  const questions = p.questions ?? [];
  const answers = p.answers ?? [];
  const authorities = p.authorities ?? [];
  const additionals = p.additionals ?? [];
  w.u16(p.id ?? 0);
  w.u16(((p.flags ?? 0) & 0x7fff) | (p.type === 'response' ? 0x8000 : 0));
  w.u16(questions.length);
  w.u16(answers.length);
  w.u16(authorities.length);
  w.u16(additionals.length);
  for (const q of questions) {
    w.name(q.name, true);
    w.u16(types.toType(q.type));
    const klass = q.class === undefined ? 1 : CLASSES[q.class];
    if (klass === undefined) throw new Unsupported('class');
    w.u16(klass);
  }
  for (const a of answers) rr(w, a);
  for (const a of authorities) rr(w, a);
  for (const a of additionals) rr(w, a);
  return Buffer.from(w.buf.subarray(0, w.off));
}

// The size check before sending and the send itself encode the same packet object: remember the last results.
const memo = new WeakMap<Packet, Buffer>();

/** Encode a message with name compression (falls back to dns-packet for what it does not know). Do not mutate `p` afterwards. */
export function encodeMessage(p: Packet): Buffer {
  const known = memo.get(p);
  if (known) return known;
  let out: Buffer;
  try {
    out = encodeCompressed(p);
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    out = dnsPacket.encode(p);
  }
  memo.set(p, out);
  return out;
}
