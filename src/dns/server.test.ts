import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import { ManualClock } from '../lib/clock.ts';
import { buildDnsSnapshot, sendNotify, startDnsServer } from './index.ts';
import type { DnsServer, DnsSnapshot } from './index.ts';
import { dig, hasDig } from './test-dig.ts';
import { EDGE, shopZone } from './test-fixture.ts';

const DIG = hasDig();
const skip = DIG ? false : 'dig is not installed (apt-get install -y dnsutils)';

function framed(p: dnsPacket.Packet): Buffer {
  const b = dnsPacket.encode(p);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

/** Read `n` length-prefixed messages from a TCP socket. */
function readMessages(sock: Socket, n: number): Promise<DecodedPacket[]> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const out: DecodedPacket[] = [];
    sock.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        if (out.length === n) resolve(out);
      }
    });
    sock.on('error', reject);
  });
}

describe('DNS server against real dig', { skip }, () => {
  let snapshot: DnsSnapshot = buildDnsSnapshot([shopZone()], EDGE);
  let server: DnsServer;
  before(async () => {
    server = await startDnsServer({ getSnapshot: () => snapshot, axfrAllow: ['127.0.0.0/8'] });
  });
  after(() => server.close());

  test('UDP and TCP share the port', () => {
    assert.equal(server.udpPort, server.tcpPort);
    assert.ok(server.udpPort > 0);
  });

  test('authoritative answer with the question case preserved', async () => {
    const r = await dig(server.udpPort, ['DiReCt.SHOP.test', 'A']);
    assert.equal(r.status, 'NOERROR');
    assert.ok(r.flags.includes('aa'), r.raw);
    assert.deepEqual(r.answers.map((a) => [a[0], a[3], a[4]]), [['DiReCt.SHOP.test.', 'A', '198.51.100.7']]);
  });

  test('proxied record answers the edge addresses', async () => {
    const r = await dig(server.udpPort, ['www.shop.test', 'A']);
    assert.deepEqual(r.answers.map((a) => a[4]).sort(), ['192.0.2.1', '192.0.2.2']);
    assert.ok(!r.raw.includes('203.0.113.10'));
  });

  test('NXDOMAIN with the SOA in authority', async () => {
    const r = await dig(server.udpPort, ['missing.shop.test', 'A']);
    assert.equal(r.status, 'NXDOMAIN');
    assert.ok(r.flags.includes('aa'));
    assert.equal(r.authority[0]?.[3], 'SOA');
    assert.equal(r.authority[0]?.[1], '120', 'negative TTL = SOA minimum');
  });

  test('REFUSED outside our zones', async () => {
    const r = await dig(server.udpPort, ['example.com', 'A']);
    assert.equal(r.status, 'REFUSED');
    assert.ok(!r.flags.includes('aa'));
  });

  test('wildcard synthesis and NODATA for an existing name', async () => {
    const w = await dig(server.udpPort, ['anything.dev.shop.test', 'A']);
    assert.deepEqual(w.answers.map((a) => [a[0], a[4]]), [['anything.dev.shop.test.', '198.51.100.99']]);
    const n = await dig(server.udpPort, ['x.dev.shop.test', 'A']);
    assert.equal(n.status, 'NOERROR');
    assert.equal(n.answers.length, 0);
    assert.equal(n.authority[0]?.[3], 'SOA');
  });

  test('CNAME flattening at the apex and chains', async () => {
    const apex = await dig(server.udpPort, ['shop.test', 'A']);
    assert.deepEqual(apex.answers.map((a) => [a[0], a[3], a[4]]), [['shop.test.', 'A', '198.51.100.7']]);
    const chain = await dig(server.udpPort, ['alias.shop.test', 'A']);
    assert.deepEqual(chain.answers.map((a) => a[3]), ['CNAME', 'CNAME', 'A']);
  });

  test('delegation: referral with glue; empty non-terminal is NODATA', async () => {
    const r = await dig(server.udpPort, ['host.delegated.shop.test', 'A']);
    assert.equal(r.status, 'NOERROR');
    assert.ok(!r.flags.includes('aa'));
    assert.deepEqual(r.authority.map((a) => [a[0], a[3], a[4]]), [['delegated.shop.test.', 'NS', 'ns.delegated.shop.test.']]);
    assert.deepEqual(r.additional.filter((a) => a[3] === 'A').map((a) => a[4]), ['198.51.100.53']);
    const ent = await dig(server.udpPort, ['ent.sub.shop.test', 'A']);
    assert.equal(ent.status, 'NOERROR');
    assert.equal(ent.answers.length, 0);
    assert.equal(ent.authority[0]?.[3], 'SOA');
  });

  test('ANY is answered minimally', async () => {
    const r = await dig(server.udpPort, ['direct.shop.test', 'ANY']);
    assert.deepEqual(r.answers.map((a) => a[3]), ['A']);
  });

  test('EDNS: OPT echoed with our payload size; BADVERS for version 1; no OPT without EDNS', async () => {
    const e = await dig(server.udpPort, ['+bufsize=4096', 'direct.shop.test', 'A']);
    assert.match(e.raw, /EDNS: version: 0, flags:; udp: 1232/);
    const bad = await dig(server.udpPort, ['+edns=1', '+noednsneg', 'direct.shop.test', 'A']);
    assert.equal(bad.status, 'BADVERS', bad.raw);
    const none = await dig(server.udpPort, ['+noedns', 'direct.shop.test', 'A']);
    assert.doesNotMatch(none.raw, /OPT PSEUDOSECTION/);
  });

  test('large answer: TC over UDP, full answer over TCP', async () => {
    const udp = await dig(server.udpPort, ['+ignore', 'big.shop.test', 'TXT']);
    assert.ok(udp.flags.includes('tc'), udp.raw);
    assert.equal(udp.answers.length, 0);
    const tcp = await dig(server.tcpPort, ['+tcp', 'big.shop.test', 'TXT']);
    assert.ok(!tcp.flags.includes('tc'));
    assert.equal(tcp.answers.length, 60);
    const retry = await dig(server.udpPort, ['big.shop.test', 'TXT']);
    assert.equal(retry.answers.length, 60, 'dig retries over TCP by itself');
  });

  test('AXFR to an allowed client: SOA first and last, proxied names without their origin', async () => {
    const r = await dig(server.tcpPort, ['shop.test', 'AXFR']);
    const lines = r.raw.split('\n').filter((l) => l && !l.startsWith(';')).map((l) => l.split(/\s+/));
    assert.equal(lines[0]?.[3], 'SOA', r.raw);
    assert.equal(lines.at(-1)?.[3], 'SOA');
    assert.ok(lines.some((l) => l[0] === 'www.shop.test.' && l[4] === '192.0.2.1'));
    assert.ok(lines.some((l) => l[0] === 'big.shop.test.' && l[3] === 'TXT'));
    assert.ok(!lines.some((l) => l[0] === 'shop.test.' && l[3] === 'CNAME'), 'no CNAME at the apex');
    assert.ok(lines.some((l) => l[0] === 'shop.test.' && l[3] === 'A' && l[4] === '198.51.100.7'), 'the apex CNAME is flattened');
    assert.ok(!r.raw.includes('203.0.113.10') && !r.raw.includes('origin.example.net'));
    assert.ok(lines.length > 80);
  });

  test('a new snapshot is answered at once (the answer cache follows the snapshot)', async () => {
    const before1 = await dig(server.udpPort, ['mail.shop.test', 'A']);
    const before2 = await dig(server.udpPort, ['mail.shop.test', 'A']);
    assert.deepEqual([before1.answers[0]?.[4], before2.answers[0]?.[4]], ['198.51.100.25', '198.51.100.25']);
    const z = shopZone();
    const mail = z.records.find((r) => r.id === 'r6');
    if (mail?.type === 'A') mail.content = '198.51.100.26';
    z.records.push({ id: 'new', type: 'A', name: 'fresh', content: '192.0.2.123' });
    snapshot = buildDnsSnapshot([{ ...z, serial: z.serial + 1 }], EDGE);
    const r = await dig(server.udpPort, ['fresh.shop.test', 'A']);
    assert.deepEqual(r.answers.map((a) => a[4]), ['192.0.2.123']);
    const after1 = await dig(server.udpPort, ['mail.shop.test', 'A']);
    assert.equal(after1.answers[0]?.[4], '198.51.100.26');
    const mixed = await dig(server.udpPort, ['MAIL.shop.test', 'A']);
    assert.equal(mixed.answers[0]?.[0], 'MAIL.shop.test.', 'case preserved with the cache');
  });

  test('TCP: several queries on one connection, answered in order', async () => {
    const sock = connect(server.tcpPort, '127.0.0.1');
    const got = readMessages(sock, 3);
    sock.write(Buffer.concat([
      framed({ type: 'query', id: 1, questions: [{ name: 'direct.shop.test', type: 'A' }] }),
      framed({ type: 'query', id: 2, questions: [{ name: 'missing.shop.test', type: 'A' }] }),
    ]));
    const third = framed({ type: 'query', id: 3, questions: [{ name: 'mail.shop.test', type: 'A' }] });
    sock.write(third.subarray(0, 5)); // split across writes
    setImmediate(() => sock.write(third.subarray(5)));
    const msgs = await got;
    sock.destroy();
    assert.deepEqual(msgs.map((m) => m.id), [1, 2, 3]);
    assert.deepEqual(msgs.map((m) => (m as DecodedPacket & { rcode: string }).rcode), ['NOERROR', 'NXDOMAIN', 'NOERROR']);
  });

  test('malformed UDP query gets FORMERR with its id', async () => {
    const s = createSocket('udp4');
    const junk = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x61]);
    const got = new Promise<Buffer>((resolve) => s.once('message', resolve));
    s.send(junk, server.udpPort, '127.0.0.1');
    const buf = await got;
    s.close();
    assert.equal(buf.readUInt16BE(0), 0x1234);
    assert.equal(buf.readUInt16BE(2) & 0xf, 1);
  });

  test('NOTIFY: sendNotify reaches a secondary and reports its answer', async () => {
    const secondary = createSocket('udp4');
    await new Promise<void>((resolve) => secondary.bind(0, '127.0.0.1', () => resolve()));
    const seen: DecodedPacket[] = [];
    secondary.on('message', (buf, rinfo) => {
      const q = dnsPacket.decode(buf);
      seen.push(q);
      secondary.send(dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: (4 << 11) | (1 << 10), questions: q.questions ?? [] }), rinfo.port, rinfo.address);
    });
    const target = `127.0.0.1:${secondary.address().port}`;
    const res = await sendNotify('Shop.Test.', 2026112502, [target, `127.0.0.1:${server.udpPort}`], { timeoutMs: 2000 });
    secondary.close();
    assert.deepEqual(res[0], { target, ok: true, rcode: 'NOERROR' });
    assert.equal((seen[0] as DecodedPacket & { opcode: string }).opcode, 'NOTIFY');
    assert.equal(seen[0]?.flag_aa, true);
    assert.equal(seen[0]?.questions?.[0]?.name, 'shop.test');
    const soa = seen[0]?.answers?.[0];
    assert.ok(soa?.type === 'SOA' && soa.data.serial === 2026112502);
    assert.equal(res[1]?.ok, false, 'our own server does not accept NOTIFY');
    assert.equal(res[1]?.rcode, 'NOTIMP');
  });
});

describe('DNS server robustness', () => {
  test('random garbage over UDP and TCP does not stop the server', async () => {
    const snapshot = buildDnsSnapshot([shopZone()], EDGE);
    const server = await startDnsServer({ getSnapshot: () => snapshot });
    try {
      const s = createSocket('udp4');
      let seed = 7;
      const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed; };
      const valid = dnsPacket.encode({ type: 'query', id: 9, questions: [{ name: 'direct.shop.test', type: 'A' }] });
      for (let i = 0; i < 120; i++) {
        const b = i % 2 === 0 ? Buffer.from(valid) : Buffer.alloc(rnd() % 80);
        for (let j = 0; j < b.length; j++) if (i % 2 === 1 || rnd() % 8 === 0) b[j] = rnd() % 256;
        s.send(b, server.udpPort, '127.0.0.1');
      }
      const tcp = connect(server.tcpPort, '127.0.0.1');
      tcp.on('error', () => {});
      tcp.write(Buffer.from([0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]));
      const ok = createSocket('udp4');
      const got = new Promise<Buffer>((resolve) => ok.once('message', resolve));
      // resend until answered: the burst above may have filled the socket's receive buffer
      const resend = setInterval(() => ok.send(valid, server.udpPort, '127.0.0.1'), 200);
      ok.send(valid, server.udpPort, '127.0.0.1');
      const r = dnsPacket.decode(await got);
      clearInterval(resend);
      assert.ok(server.stats().malformed > 0);
      assert.equal(r.answers?.[0]?.type, 'A');
      s.close();
      ok.close();
      tcp.destroy();
    } finally {
      await server.close();
    }
  });

  test('an answer too large for TCP framing is sent as a TC header, the connection stays usable', async () => {
    const z = shopZone();
    for (let i = 0; i < 10; i++) z.records.push({ id: `huge${i}`, type: 'TXT', name: 'huge', content: `${i}`.padEnd(8000, 'y') });
    const snapshot = buildDnsSnapshot([z], EDGE);
    const server = await startDnsServer({ getSnapshot: () => snapshot });
    try {
      const sock = connect(server.tcpPort, '127.0.0.1');
      const got = readMessages(sock, 2);
      sock.write(Buffer.concat([
        framed({ type: 'query', id: 5, questions: [{ name: 'huge.shop.test', type: 'TXT' }] }),
        framed({ type: 'query', id: 6, questions: [{ name: 'direct.shop.test', type: 'A' }] }),
      ]));
      const [big, small] = await got;
      sock.destroy();
      assert.equal(big?.id, 5);
      assert.equal(big?.flag_tc, true);
      assert.equal(small?.id, 6);
      assert.equal(small?.answers?.length, 1);
    } finally {
      await server.close();
    }
  });
});

describe('DNS server policies', { skip }, () => {
  test('AXFR from a client outside the allowlist is REFUSED', async () => {
    const snapshot = buildDnsSnapshot([shopZone()], EDGE);
    const server = await startDnsServer({ getSnapshot: () => snapshot, axfrAllow: ['10.0.0.0/8', '2001:db8::/32'] });
    try {
      const r = await dig(server.tcpPort, ['shop.test', 'AXFR']);
      assert.match(r.raw, /Transfer failed/);
      assert.ok(!r.raw.includes('198.51.100.7'));
      assert.equal(server.stats().axfrRefused, 1);
    } finally {
      await server.close();
    }
  });

  test('AXFR of a large zone spans several messages; IPv6 listener', async () => {
    const z = shopZone();
    for (let i = 0; i < 1000; i++) z.records.push({ id: `h${i}`, type: 'A', name: `host${i}`, content: `10.0.${i >> 8}.${i & 255}` });
    const snapshot = buildDnsSnapshot([z], EDGE);
    let server: DnsServer;
    try {
      server = await startDnsServer({ host: '::1', getSnapshot: () => snapshot, axfrAllow: ['::1'] });
    } catch {
      return; // no IPv6 loopback here
    }
    try {
      const r = await new Promise<string>((resolve, reject) => {
        execFile('dig', ['@::1', '-p', String(server.tcpPort), '+nocookie', 'shop.test', 'AXFR'], (err, out) => (err ? reject(err) : resolve(out)));
      });
      const rrs = r.split('\n').filter((l) => l && !l.startsWith(';'));
      assert.equal(rrs.filter((l) => /\sSOA\s/.test(l)).length, 2);
      assert.ok(rrs.some((l) => l.startsWith('host999.shop.test.')), 'last records arrive');
      const m = /XFR size: (\d+) records \(messages (\d+)/.exec(r);
      assert.ok(m && Number(m[2]) >= 2, r.slice(-300));
      assert.equal(Number(m?.[1]), rrs.length);
    } finally {
      await server.close();
    }
  });

  test('RRL with a fake clock: send, drop, slip (TC), then recover when time passes', async () => {
    const clock = new ManualClock();
    const snapshot = buildDnsSnapshot([shopZone()], EDGE);
    const server = await startDnsServer({ getSnapshot: () => snapshot, clock, rrl: { responsesPerSecond: 2, slip: 2, window: 5 } });
    try {
      const args = ['+ignore', '+time=1', 'direct.shop.test', 'A'];
      assert.equal((await dig(server.udpPort, args)).answers.length, 1);
      assert.equal((await dig(server.udpPort, args)).answers.length, 1);
      const dropped = await dig(server.udpPort, args);
      assert.equal(dropped.timedOut, true, dropped.raw);
      assert.equal(server.stats().rrlDropped, 1);
      const slipped = await dig(server.udpPort, args);
      assert.ok(slipped.flags.includes('tc'), slipped.raw);
      assert.equal(slipped.answers.length, 0);
      assert.equal(server.stats().rrlSlipped, 1);
      const other = await dig(server.udpPort, ['+ignore', 'mail.shop.test', 'A']);
      assert.equal(other.answers.length, 1, 'another answer has its own account');
      const tcp = await dig(server.tcpPort, ['+tcp', 'direct.shop.test', 'A']);
      assert.equal(tcp.answers.length, 1, 'TCP is not rate limited');
      clock.advance(10_000);
      assert.equal((await dig(server.udpPort, args)).answers.length, 1, 'credit is back after the window');
    } finally {
      await server.close();
    }
  });

  test('TCP idle timeout and connection cap close connections', async () => {
    const snapshot = buildDnsSnapshot([shopZone()], EDGE);
    const server = await startDnsServer({ getSnapshot: () => snapshot, tcpIdleTimeoutMs: 50, maxTcpConnections: 1 });
    try {
      const a = connect(server.tcpPort, '127.0.0.1');
      await new Promise((resolve) => a.once('connect', resolve));
      const b = connect(server.tcpPort, '127.0.0.1');
      const bClosed = new Promise((resolve) => b.once('close', resolve));
      b.on('error', () => {});
      await bClosed; // over the cap: closed by the server
      const aClosed = new Promise((resolve) => a.once('close', resolve));
      await aClosed; // idle: closed by the server
      assert.equal(a.destroyed, true);
    } finally {
      await server.close();
    }
  });
});
