/**
 * The authoritative DNS server: UDP and TCP on the same port. UDP answers go through response rate limiting;
 * TCP carries several length-prefixed queries per connection, with an idle timeout and a connection cap, and
 * zone transfers to allowed clients.
 */
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6 } from 'node:net';
import type { Server, Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { OptAnswer, Packet } from 'dns-packet';
import { systemClock } from '../lib/clock.ts';
import type { Clock } from '../lib/clock.ts';
import { answer, errorResponse, RCODE, responseRcode, truncated } from './answer.ts';
import type { ClientInfo, DnsQuery } from './answer.ts';
import { axfrResponses, compileAllowlist } from './axfr.ts';
import { canonicalName } from './names.ts';
import { ResponseRateLimiter } from './rrl.ts';
import type { RrlCategory, RrlConfig } from './rrl.ts';
import { findZone } from './snapshot.ts';
import { encodeMessage } from './wire.ts';
import type { DnsSnapshot } from './snapshot.ts';

export interface DnsLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DnsServerOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port for UDP and TCP; 0 picks a free one (default 0). */
  port?: number;
  /** Called on every query: return the current snapshot (swap it to change the data). */
  getSnapshot: () => DnsSnapshot;
  /** Response rate limiting on UDP; off when absent. */
  rrl?: RrlConfig;
  /** Clock for RRL (default the system clock). */
  clock?: Clock;
  /** IPs and CIDRs allowed to transfer zones (AXFR/IXFR over TCP); everyone else gets REFUSED. */
  axfrAllow?: string[];
  /** Per zone: may this client transfer this zone (a zone's own secondaries)? Asked when `axfrAllow` refuses. */
  axfrAllowedFor?: (zone: string, clientIp: string) => boolean;
  logger?: DnsLogger;
  /** Close a TCP connection idle this long (default 10000 ms). */
  tcpIdleTimeoutMs?: number;
  /** Concurrent TCP connections at most (default 1000); more are closed at once. */
  maxTcpConnections?: number;
  /** Encoded UDP answers cached per snapshot (default 50000; 0 turns the cache off). */
  answerCacheSize?: number;
}

interface CachedAnswer {
  buf: Buffer;
  category: RrlCategory;
  what: string;
}

export interface DnsServerStats {
  udpQueries: number;
  tcpQueries: number;
  rrlDropped: number;
  rrlSlipped: number;
  malformed: number;
  axfrRefused: number;
  axfrServed: number;
}

export interface DnsServer {
  readonly host: string;
  readonly udpPort: number;
  readonly tcpPort: number;
  stats(): DnsServerStats;
  close(): Promise<void>;
}

function rrlCategory(snapshot: DnsSnapshot, resp: Packet): { category: RrlCategory; what: string } {
  const rc = responseRcode(resp);
  const q = resp.questions?.[0];
  const qname = q ? canonicalName(q.name) : '';
  if (rc === RCODE.NXDOMAIN) return { category: 'nxdomain', what: findZone(snapshot, qname)?.name ?? qname };
  if (rc !== RCODE.NOERROR) return { category: 'error', what: String(rc) };
  return { category: 'answer', what: `${qname}/${q?.type ?? ''}` };
}

/** Decode a query; on failure, a FORMERR response built from the raw header (or undefined to drop). */
function decodeQuery(buf: Buffer): { query: DnsQuery & { type?: string | undefined } } | { error: Packet | undefined } {
  try {
    return { query: dnsPacket.decode(buf) };
  } catch {
    if (buf.length < 12 || (buf.readUInt16BE(2) & 0x8000) !== 0) return { error: undefined };
    return { error: errorResponse({ id: buf.readUInt16BE(0), flags: buf.readUInt16BE(2) & 0x7800 }, RCODE.FORMERR) };
  }
}

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.logger;
  const rrl = opts.rrl ? new ResponseRateLimiter(opts.rrl, opts.clock ?? systemClock) : undefined;
  const axfrAllowed = compileAllowlist(opts.axfrAllow ?? []);
  const idleMs = opts.tcpIdleTimeoutMs ?? 10_000;
  const stats: DnsServerStats = { udpQueries: 0, tcpQueries: 0, rrlDropped: 0, rrlSlipped: 0, malformed: 0, axfrRefused: 0, axfrServed: 0 };
  const sockets = new Set<Socket>();

  const encode = (p: Packet, query: DnsQuery): Buffer => {
    try {
      return encodeMessage(p);
    } catch (err) {
      log?.error({ err: (err as Error).message }, 'dns: encoding a response failed');
      return encodeMessage(errorResponse(query, RCODE.SERVFAIL));
    }
  };

  // Answers are a pure function of (snapshot, query bytes after the id, transport): cache the encoded UDP answer
  // per snapshot, keyed by those bytes, and patch the id on a hit. Cleared when the snapshot changes or fills up.
  let cacheFor: DnsSnapshot | undefined;
  const cache = new Map<string, CachedAnswer>();
  const cacheMax = opts.answerCacheSize ?? 50_000;

  const handleUdp = (udp: UdpSocket, buf: Buffer, address: string, port: number): void => {
    stats.udpQueries++;
    // No per-send callback: send errors surface on the socket's 'error' listener (logged), and this path stays lean.
    const send = (out: Buffer): void => udp.send(out, port, address);
    const snap = opts.getSnapshot();
    if (snap !== cacheFor) { cache.clear(); cacheFor = snap; }
    const key = buf.length >= 12 && buf.length <= 512 && cacheMax > 0 ? buf.toString('latin1', 2) : undefined;
    const hit = key === undefined ? undefined : cache.get(key);
    if (hit) {
      const decision = rrl ? rrl.check(address, hit.category, hit.what) : 'send';
      if (decision === 'drop') { stats.rrlDropped++; return; }
      if (decision === 'send') {
        const out = Buffer.from(hit.buf);
        out.writeUInt16BE(buf.readUInt16BE(0), 0);
        send(out);
        return;
      }
      // slip: fall through to the full path, which builds the truncated answer (and counts the slip)
    }
    const d = decodeQuery(buf);
    let out: Buffer | undefined;
    if ('error' in d) {
      stats.malformed++;
      if (d.error) out = encodeMessage(d.error);
    } else {
      const query = d.query;
      if (query.type === 'response') return;
      const client: ClientInfo = { address, transport: 'udp' };
      let resp: Packet;
      let failed = false;
      try {
        resp = answer(snap, query, client);
      } catch (err) {
        log?.error({ err: (err as Error).message }, 'dns: answering failed');
        resp = errorResponse(query, RCODE.SERVFAIL);
        failed = true;
      }
      const { category, what } = rrlCategory(snap, resp);
      const full = encode(resp, query);
      if (key !== undefined && !failed) {
        if (cache.size >= cacheMax) cache.clear();
        cache.set(key, { buf: full, category, what });
      }
      out = full;
      if (rrl) {
        const decision = hit ? 'slip' : rrl.check(address, category, what);
        if (decision === 'drop') { stats.rrlDropped++; return; }
        if (decision === 'slip') {
          stats.rrlSlipped++;
          out = encode(truncated(resp, resp.additionals?.find((a): a is OptAnswer => a.type === 'OPT')), query);
        }
      }
    }
    if (out) send(out);
  };

  const handleTcpMessage = (sock: Socket, buf: Buffer): void => {
    stats.tcpQueries++;
    const d = decodeQuery(buf);
    const write = (b: Buffer): void => {
      let msg = b;
      if (msg.length > 65535) {
        // Cannot be framed: say so with TC rather than cut the stream.
        log?.warn({ bytes: msg.length }, 'dns: answer too large for TCP');
        msg = Buffer.from(msg.subarray(0, 12));
        msg.writeUInt16BE(msg.readUInt16BE(2) | 0x0200, 2);
        msg.fill(0, 4, 12);
      }
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      sock.write(Buffer.concat([len, msg]));
    };
    if ('error' in d) {
      stats.malformed++;
      if (d.error) write(encodeMessage(d.error));
      else sock.destroy();
      return;
    }
    const query = d.query;
    if (query.type === 'response') return;
    const snapshot = opts.getSnapshot();
    const qtype = String(query.questions?.[0]?.type ?? '');
    const opcode = ((query.flags ?? 0) >> 11) & 0xf;
    if (opcode === 0 && (qtype === 'AXFR' || qtype === 'IXFR') && query.questions?.length === 1) {
      const address = sock.remoteAddress ?? '';
      const qname = (query.questions[0]?.name ?? '').toLowerCase().replace(/\.$/, '');
      const allowed = axfrAllowed(address) || (opts.axfrAllowedFor?.(qname, address) ?? false);
      if (allowed) stats.axfrServed++; else stats.axfrRefused++;
      log?.info({ client: address, zone: query.questions[0]?.name, allowed }, 'dns: zone transfer request');
      for (const p of axfrResponses(snapshot, query, allowed)) write(encode(p, query));
      return;
    }
    let resp: Packet;
    try {
      resp = answer(snapshot, query, { address: sock.remoteAddress ?? '', transport: 'tcp' });
    } catch (err) {
      log?.error({ err: (err as Error).message }, 'dns: answering failed');
      resp = errorResponse(query, RCODE.SERVFAIL);
    }
    write(encode(resp, query));
  };

  const onConnection = (sock: Socket): void => {
    sockets.add(sock);
    sock.setNoDelay(true);
    sock.setTimeout(idleMs, () => sock.destroy());
    let pending: Buffer = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (pending.length < 2 + len) break;
        const msg = pending.subarray(2, 2 + len);
        pending = pending.subarray(2 + len);
        if (sock.destroyed) return;
        try {
          handleTcpMessage(sock, msg);
        } catch (err) {
          log?.error({ err: (err as Error).message }, 'dns: tcp query failed');
          sock.destroy();
          return;
        }
      }
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => sockets.delete(sock));
  };

  const bindUdp = (port: number): Promise<UdpSocket> =>
    new Promise((resolve, reject) => {
      const s = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false });
      s.once('error', reject);
      s.bind(port, host, () => {
        s.off('error', reject);
        s.on('error', (err) => log?.warn({ err: err.message }, 'dns: udp socket error'));
        resolve(s);
      });
    });
  const bindTcp = (port: number): Promise<Server> =>
    new Promise((resolve, reject) => {
      const srv = createServer(onConnection);
      srv.maxConnections = opts.maxTcpConnections ?? 1000;
      srv.once('error', reject);
      srv.listen({ port, host, exclusive: true }, () => {
        srv.off('error', reject);
        resolve(srv);
      });
    });

  const wanted = opts.port ?? 0;
  let udp: UdpSocket | undefined;
  let tcp: Server | undefined;
  for (let attempt = 0; ; attempt++) {
    udp = await bindUdp(wanted);
    const port = udp.address().port;
    try {
      tcp = await bindTcp(port);
      break;
    } catch (err) {
      udp.close();
      if (wanted !== 0 || attempt >= 20 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  const u = udp;
  const t = tcp;
  u.on('message', (buf, rinfo) => {
    try {
      handleUdp(u, buf, rinfo.address, rinfo.port);
    } catch (err) {
      log?.error({ err: (err as Error).message }, 'dns: udp query failed');
    }
  });
  const udpPort = u.address().port;
  const addr = t.address();
  const tcpPort = typeof addr === 'object' && addr ? addr.port : udpPort;
  log?.info({ host, udpPort, tcpPort }, 'dns: listening');

  return {
    host,
    udpPort,
    tcpPort,
    stats: () => ({ ...stats }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((resolve) => u.close(() => resolve())),
        new Promise<void>((resolve) => t.close(() => resolve())),
      ]);
    },
  };
}
