/**
 * The cache's own conditional requests to the origin (RFC 9111 §4.3.1): GET with the stored validators
 * (If-None-Match / If-Modified-Since), for revalidating an expired entry before serving it and for
 * stale-while-revalidate background refreshes (which have no client response to stream into, so they cannot go
 * through the origin phase). Only the status and headers are used: a body (the object changed) is discarded and
 * the caller fetches it through the origin phase, where transforms apply and the tap stores it.
 *
 * Keep-alive pools per origin URL, separate from the origin phase's; origins are taken round robin (the health
 * state belongs to the edge server, which the request phases do not see).
 */
import { Pool } from 'undici';
import type { CompiledZone } from '../../../config/snapshot.ts';
import { forwardHeaders } from '../origin/forward-headers.ts';

export interface CheckRequest {
  readonly zone: CompiledZone;
  readonly url: string;
  /** The client's raw request headers (conditional and range fields are replaced or dropped). */
  readonly rawHeaders: readonly string[];
  readonly clientIp: string;
  readonly tls: boolean;
  readonly ray: string;
  readonly host: string;
  /** Validators to send (from conditionalHeaders of the stored entry). */
  readonly conditional: Readonly<Record<string, string>>;
}

export interface CheckResult {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly requestTime: number;
  readonly responseTime: number;
}

/** Client fields that must not reach the origin on the cache's conditional request. */
const DROP = new Set(['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range', 'cache-control', 'pragma']);

export class OriginCheck {
  readonly #pools = new Map<string, Pool>();
  readonly #now: () => number;
  #rr = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  async check(q: CheckRequest): Promise<CheckResult> {
    const origins = q.zone.pool.origins;
    if (origins.length === 0) throw new Error('no origin');
    const origin = origins[this.#rr++ % origins.length]!;
    const key = origin.url + '|' + q.zone.pool.connectTimeoutMs;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = new Pool(origin.url, {
        connections: 32, keepAliveTimeout: 30_000,
        connect: { timeout: q.zone.pool.connectTimeoutMs, ...(origin.tls ? { rejectUnauthorized: false, servername: origin.host } : {}) },
      });
      this.#pools.set(key, pool);
    }
    const raw: string[] = [];
    for (let i = 0; i < q.rawHeaders.length; i += 2) if (!DROP.has(q.rawHeaders[i]!.toLowerCase())) raw.push(q.rawHeaders[i]!, q.rawHeaders[i + 1]!);
    for (const [k, v] of Object.entries(q.conditional)) raw.push(k, v);
    const headers = forwardHeaders(raw, q.clientIp, q.tls, q.ray, q.host, q.zone.pool.hostHeader);
    const requestTime = this.#now();
    const res = await pool.request({
      path: q.url, method: 'GET', headers,
      headersTimeout: q.zone.pool.responseTimeoutMs, bodyTimeout: q.zone.pool.responseTimeoutMs,
    });
    const responseTime = this.#now();
    // a changed object: the body is fetched again through the origin phase; this one is discarded (undici reads a
    // small body to keep the connection, and closes it past 64 KiB)
    res.body.dump({ limit: 64 * 1024 }).catch(() => {});
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k.toLowerCase()] = v;
    return { status: res.statusCode, headers: out, requestTime, responseTime };
  }

  async close(): Promise<void> {
    const all = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(all.map((p) => p.destroy().catch(() => {})));
  }
}
