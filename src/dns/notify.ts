/**
 * NOTIFY (RFC 1996): tell secondaries that a zone changed, so they come and transfer it. One UDP message per
 * target (opcode NOTIFY, AA, question <zone> SOA, the new SOA serial in the answer), retried on timeout, until the
 * target answers with a NOTIFY response carrying the same id.
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { canonicalName } from './names.ts';

const OPCODE_NOTIFY = 4 << 11;
const FLAG_AA = 1 << 10;
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export interface NotifyOptions {
  /** Per attempt (default 2000 ms). */
  timeoutMs?: number;
  /** Attempts per target (default 3). */
  attempts?: number;
  /** SOA names carried with the serial (defaults ns1.<zone>, hostmaster.<zone>). */
  soa?: { mname: string; rname: string };
}

export interface NotifyResult {
  target: string;
  ok: boolean;
  rcode?: string;
  error?: string;
}

/** Parse 'ip', 'ip:port' or '[v6]:port' (default port 53). */
export function parseTarget(t: string): { host: string; port: number } {
  const m6 = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(t);
  if (m6) return { host: m6[1] ?? '', port: Number(m6[2] ?? 53) };
  if (isIPv6(t)) return { host: t, port: 53 };
  const i = t.lastIndexOf(':');
  if (i > 0) return { host: t.slice(0, i), port: Number(t.slice(i + 1)) };
  return { host: t, port: 53 };
}

function notifyOne(zone: string, serial: number, target: string, opts: NotifyOptions): Promise<NotifyResult> {
  const { host, port } = parseTarget(target);
  const id = randomInt(0, 65536);
  const msg = dnsPacket.encode({
    type: 'query',
    id,
    flags: OPCODE_NOTIFY | FLAG_AA,
    questions: [{ name: zone, type: 'SOA', class: 'IN' }],
    answers: [{
      type: 'SOA', name: zone, ttl: 0, class: 'IN',
      data: { mname: opts.soa?.mname ?? `ns1.${zone}`, rname: opts.soa?.rname ?? `hostmaster.${zone}`, serial, refresh: 0, retry: 0, expire: 0, minimum: 0 },
    }],
  });
  const attempts = opts.attempts ?? 3;
  const timeoutMs = opts.timeoutMs ?? 2000;
  return new Promise((resolve) => {
    const sock = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    let tries = 0;
    let timer: NodeJS.Timeout | undefined;
    const done = (r: NotifyResult): void => {
      if (timer) clearTimeout(timer);
      sock.close();
      resolve(r);
    };
    const send = (): void => {
      if (tries >= attempts) return done({ target, ok: false, error: `no answer after ${attempts} attempts` });
      tries++;
      sock.send(msg, port, host, (err) => { if (err) done({ target, ok: false, error: err.message }); });
      timer = setTimeout(send, timeoutMs);
    };
    sock.on('error', (err) => done({ target, ok: false, error: err.message }));
    sock.on('message', (buf) => {
      try {
        if (buf.length < 12 || buf.readUInt16BE(0) !== id) return;
        const flags = buf.readUInt16BE(2);
        if ((flags & 0x8000) === 0 || ((flags >> 11) & 0xf) !== 4) return;
        const rc = flags & 0xf;
        done({ target, ok: rc === 0, rcode: RCODES[rc] ?? String(rc) });
      } catch (e) {
        done({ target, ok: false, error: (e as Error).message });
      }
    });
    send();
  });
}

/** Send NOTIFY for `zoneName` at `serial` to every target ('ip', 'ip:port', '[v6]:port'); resolves with one result per target. */
export async function sendNotify(zoneName: string, serial: number, targets: readonly string[], opts: NotifyOptions = {}): Promise<NotifyResult[]> {
  const zone = canonicalName(zoneName);
  return Promise.all(targets.map((t) => notifyOne(zone, serial, t, opts)));
}
