/**
 * Admission control before TLS and HTTP: per-IP connection cap, per-IP new-connection rate (token bucket), a
 * global cap with a reserve for known-good clients, and the HTTP/2 session guard. One instance per edge process,
 * shared by its listeners.
 */
import type { Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyRateMonitor } from './body-rate.ts';
import type { ServerHttp2Session } from 'node:http2';
import type { Clock } from '../../lib/clock.ts';
import { plainIp } from '../../lib/headers.ts';
import { ConnectionTracker, reservedCount } from './connection-tracker.ts';
import type { ConnectionRefusal } from './connection-tracker.ts';
import { KnownGoodClients } from './known-good.ts';
import { TokenBuckets } from './token-bucket.ts';
import { guardH2Session } from './h2-guard.ts';
import type { H2Abuse } from './h2-guard.ts';

export type AdmissionRefusal = ConnectionRefusal | 'rate';
export type AdmissionReason = AdmissionRefusal | H2Abuse | 'slow_body';
/** Reputation event kinds the admission layer reports. */
export type AbuseKind = 'h2_abuse' | 'conn_flood';

export interface AdmissionLimits {
  readonly max_connections_per_ip: number;
  /** Open connections per IPv4 /24 or IPv6 /64; 0 or absent = no cap. */
  readonly max_connections_per_prefix?: number;
  readonly new_connections_per_ip_per_second: number;
  readonly new_connections_per_ip_burst: number;
  readonly max_connections: number;
  readonly reserved_connections: number | string;
  readonly h2_max_rst_per_second: number;
  readonly h2_max_pings_per_second: number;
  readonly h2_max_settings_per_second: number;
  /** Minimum average request-body rate in bytes per second (HTTP/1); 0 = off. */
  readonly min_body_rate?: number;
  /** Seconds before the body rate is first judged. */
  readonly body_rate_grace?: number;
}

export interface AdmissionOptions {
  readonly limits: AdmissionLimits;
  readonly clock: Clock;
  /** Every refusal and every session sent away, by reason (for the metric). */
  readonly onRefused?: (reason: AdmissionReason) => void;
  /** Report abuse to the reputation store (at most once per IP per `abuseReportIntervalMs`). */
  readonly onAbuse?: (ip: string, kind: AbuseKind) => void;
  readonly abuseReportIntervalMs?: number;
}

export class Admission {
  readonly #o: AdmissionOptions;
  readonly conns: ConnectionTracker;
  readonly knownGood: KnownGoodClients;
  readonly #rate: TokenBuckets;
  readonly #reported = new Map<string, number>();

  constructor(o: AdmissionOptions) {
    this.#o = o;
    const l = o.limits;
    this.conns = new ConnectionTracker({ perIp: l.max_connections_per_ip, ...(l.max_connections_per_prefix ? { perPrefix: l.max_connections_per_prefix } : {}), global: l.max_connections, reserved: reservedCount(l.reserved_connections, l.max_connections) });
    this.knownGood = new KnownGoodClients(o.clock);
    this.#rate = new TokenBuckets({ rate: l.new_connections_per_ip_per_second, burst: Math.max(1, l.new_connections_per_ip_burst), clock: o.clock });
  }

  /** Decide on a new connection from `ip`; when admitted it is counted until `release(ip)`. */
  admit(ip: string): AdmissionRefusal | undefined {
    const good = this.knownGood.has(ip);
    const capped = this.conns.check(ip, good);
    const refusal: AdmissionRefusal | undefined = capped ?? (this.#rate.take(ip) ? undefined : 'rate');
    if (refusal !== undefined) {
      this.#o.onRefused?.(refusal);
      if (refusal === 'per_ip' || refusal === 'per_prefix' || refusal === 'rate') this.#report(ip, 'conn_flood');
      return refusal;
    }
    this.conns.open(ip);
    return undefined;
  }

  release(ip: string): void { this.conns.close(ip); }

  /**
   * Admit a raw socket from a server's 'connection' event: refused sockets are destroyed at once (before any TLS
   * or HTTP byte is read); admitted ones are released when they close. Returns whether it was admitted.
   */
  admitSocket(s: Socket): boolean {
    const ip = plainIp(s.remoteAddress);
    if (this.admit(ip) !== undefined) { s.destroy(); return false; }
    s.once('close', () => this.release(ip));
    return true;
  }

  /** Guard an HTTP/2 session against rapid reset and PING/SETTINGS floods. */
  guardSession(sess: ServerHttp2Session): void {
    const ip = plainIp(sess.socket?.remoteAddress);
    const l = this.#o.limits;
    guardH2Session(sess, { rstPerSecond: l.h2_max_rst_per_second, pingsPerSecond: l.h2_max_pings_per_second, settingsPerSecond: l.h2_max_settings_per_second }, this.#o.clock, (kind) => {
      this.#o.onRefused?.(kind);
      this.knownGood.forget(ip);
      this.#report(ip, 'h2_abuse');
    });
  }

  /** A request from `ip` was answered; `ok` when it was not blocked (status below 400). */
  requestDone(ip: string, ok: boolean): void {
    if (ok) this.knownGood.mark(ip); else if (this.knownGood.has(ip)) this.knownGood.forget(ip);
  }

  /**
   * Slow POST: watch an HTTP/1 request body until it is complete; past the grace period, a client sending slower
   * than `min_body_rate` on average has its connection closed. Time the edge was not reading is not counted.
   */
  watchBody(req: IncomingMessage, res: ServerResponse): void {
    const l = this.#o.limits;
    const min = l.min_body_rate ?? 0;
    if (min <= 0 || req.httpVersionMajor !== 1 || req.complete) return;
    const len = req.headers['content-length'];
    if (req.headers['transfer-encoding'] === undefined && (len === undefined || len === '0')) return;
    const sock = req.socket;
    // a real-time tick drives the check, the rate is measured on the injected clock
    const m = new BodyRateMonitor({ minBytesPerSecond: min, graceSeconds: l.body_rate_grace ?? 10, clock: this.#o.clock }, sock.bytesRead);
    const t = setInterval(() => {
      if (req.complete || sock.destroyed) { clearInterval(t); return; }
      if (req.readableFlowing !== true || req.readableLength >= req.readableHighWaterMark) { m.restart(sock.bytesRead); return; }
      if (m.tooSlow(sock.bytesRead)) {
        clearInterval(t);
        this.#o.onRefused?.('slow_body');
        sock.destroy();
      }
    }, 1000);
    t.unref();
    res.once('close', () => clearInterval(t));
  }

  #report(ip: string, kind: AbuseKind): void {
    if (this.#o.onAbuse === undefined) return;
    const now = this.#o.clock.now();
    const key = kind + ' ' + ip;
    const last = this.#reported.get(key);
    if (last !== undefined && now - last < (this.#o.abuseReportIntervalMs ?? 10_000)) return;
    if (this.#reported.size > 50_000) this.#reported.clear();
    this.#reported.set(key, now);
    this.#o.onAbuse(ip, kind);
  }
}
