/**
 * The data plane of one process: HTTP and HTTPS/HTTP2 listeners, routing by Host/SNI, the phase pipeline, and
 * the atomic swap of config snapshots. Never imports the control plane: it is fed snapshots, health reports
 * and a certificate source by its owner (src/main.ts).
 */
import { createServer as createHttpServer, ServerResponse } from 'node:http';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { Http2SecureServer, ServerHttp2Session } from 'node:http2';
import { Server as NetServer } from 'node:net';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { EMPTY_SNAPSHOT, lookupZone, normaliseHost } from '../config/snapshot.ts';
import { TRANSPARENCY_PAGE_KIND, TRANSPARENCY_PATH } from '../config/legal.ts';
import type { AbuseHandler } from './abuse/index.ts';
import type { EdgeSnapshot } from '../config/snapshot.ts';
import type { Limits } from '../config/schema.ts';
import type { Logger, AccessLog } from '../telemetry/logger.ts';
import type { EdgeMetrics } from '../telemetry/metrics.ts';
import { plainIp } from '../lib/headers.ts';
import { ERRORS } from './errors/codes.ts';
import type { ErrorDef } from './errors/codes.ts';
import { renderError } from './errors/page.ts';
import { RequestContext } from './pipeline/context.ts';
import type { EdgeRequest, EdgeResponse } from './pipeline/context.ts';
import type { Verdict } from './pipeline/phase.ts';
import { runLog, runRequest } from './pipeline/run.ts';
import type { Pipeline } from './pipeline/run.ts';
import { createOriginPhase } from './phases/origin/index.ts';
import { createTunnelPhase } from './phases/origin/tunnel.ts';
import { createLogPhase } from './phases/log/index.ts';
import { HealthState, UpstreamPools } from './upstream/pools.ts';
import { answerClientError } from './listener/client-error.ts';
import { SniResolver } from './tls/sni.ts';
import type { CertSource } from './tls/sni.ts';
import type { PemPair } from './tls/self-signed.ts';
import { nextRay } from './ray.ts';
import { SECURITY_PHASES } from './phases/access-rules/index.ts';
import { VERIFY_PATH } from './phases/challenge/index.ts';
import type { ChallengePhase } from './phases/challenge/index.ts';
import type { RequestPhases } from './phases/index.ts';
import type { Phase } from './pipeline/phase.ts';
import type { SecurityEventRecorder } from './events.ts';
import { Admission } from './admission/index.ts';
import type { AbuseKind } from './admission/index.ts';
import { systemClock } from '../lib/clock.ts';
import type { Clock } from '../lib/clock.ts';

export interface EdgeOptions {
  readonly http?: { host: string; port: number } | undefined;
  /** `optional`: the address was a default, not asked for; when it is in use the node runs without HTTPS. */
  readonly https?: { host: string; port: number; optional?: boolean } | undefined;
  readonly limits: Limits;
  readonly logger: Logger;
  readonly accessLog: AccessLog;
  readonly metrics: EdgeMetrics;
  readonly nodeId: string;
  readonly defaultCert: PemPair;
  readonly certSource: CertSource;
  /** Where security events go (blocked, challenged, logged requests). */
  readonly events?: SecurityEventRecorder;
  /** The public abuse form (/.rampart/abuse everywhere, /abuse on hosts that are no zone's). */
  readonly abuse?: AbuseHandler;
  /** More log-only phases run after the access log (analytics). */
  readonly logHooks?: readonly Phase[];
  /** Request phases before the origin, in the fixed order of run.ts, and the challenge phase among them. */
  readonly requestPhases?: RequestPhases;
  /** Admission control: abuse reports for the reputation store (`conn_flood`, `h2_abuse`), and its clock. */
  readonly admission?: { onAbuse?: (ip: string, kind: AbuseKind) => void; clock?: Clock };
}

const DEF_BY_CODE = new Map<string, ErrorDef>(Object.values(ERRORS).map((d) => [d.code, d]));

function blockDef(status: number, reason: string): ErrorDef {
  return { code: reason, number: status === 429 ? 1015 : 1020, status, side: 'browser', title: status === 429 ? 'Too many requests' : 'Access denied',
    text: status === 429 ? 'You have sent too many requests to this site. Please wait and try again.' : 'This request was blocked by the security settings of this site.', retryable: status === 429 };
}

const UPGRADE_SOCKET = 'upgrade.socket';

export class EdgeServer {
  #snapshot: EdgeSnapshot = EMPTY_SNAPSHOT;
  readonly #opts: EdgeOptions;
  readonly pools = new UpstreamPools();
  readonly health = new HealthState();
  readonly #pipeline: Pipeline;
  readonly #upgradePipeline: Pipeline;
  readonly #sni: SniResolver;
  readonly #challenge: ChallengePhase | undefined;
  #http: HttpServer | undefined;
  #https: Http2SecureServer | undefined;
  #inflight = 0;
  #draining = false;
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<ServerHttp2Session>();
  #admission: Admission | undefined;

  constructor(opts: EdgeOptions) {
    this.#opts = opts;
    const logPhase = createLogPhase({ accessLog: opts.accessLog, metrics: opts.metrics, nodeId: opts.nodeId, events: opts.events });
    const request = opts.requestPhases?.phases ?? [];
    this.#challenge = opts.requestPhases?.challenge;
    const log = [...request.filter((p) => p.onLog !== undefined), logPhase, ...(opts.logHooks ?? [])];
    opts.events?.usePhaseOrder(request.map((p) => p.name));
    this.#pipeline = { request, challenge: this.#challenge, origin: createOriginPhase({ pools: this.pools, health: this.health, metrics: opts.metrics }), log };
    this.#upgradePipeline = {
      // an upgrade is never answered from the cache
      request: request.filter((p) => p.name !== 'cache'), challenge: this.#challenge,
      origin: createTunnelPhase({ health: this.health }, (ctx) => ctx.notes.get(UPGRADE_SOCKET) as { socket: Socket; head: Buffer }),
      log,
    };
    this.#sni = new SniResolver(opts.defaultCert, opts.certSource, () => this.#snapshot, (host, err) => {
      opts.logger.warn({ host, err: (err as Error).message }, 'certificate for SNI name failed; serving the default');
    });
  }

  get snapshot(): EdgeSnapshot { return this.#snapshot; }

  /** Swap in a new snapshot atomically: requests already routed keep the zone they started with. */
  apply(s: EdgeSnapshot): void {
    // zones that are gone leave the healthy-origins gauge
    if (this.#snapshot.zones.size) for (const z of this.#snapshot.zones.values()) if (!s.zones.has(z.id)) this.#opts.metrics.healthyOrigins.remove(z.name);
    for (const p of this.#pipeline.request) p.onSnapshot?.(s);
    this.#snapshot = s;
    this.#sni.onSnapshot(s);
    this.pools.prune(s.zones.values());
    this.health.retain(s.zones.values());
    this.#opts.metrics.snapshotVersion.set(s.version);
    this.#opts.metrics.snapshotBuildSeconds.observe(s.builtMs / 1000);
  }

  #healthTimer: NodeJS.Timeout | undefined;
  #httpsPort: number | undefined;
  /** rampart_healthy_origins{zone}: origins usable now (active checks and passive failures), every 5 s. */
  #reportHealth(): void {
    const g = this.#opts.metrics.healthyOrigins;
    for (const z of this.#snapshot.zones.values()) g.labels(z.name).set(this.health.healthyCount(z.id, z.pool));
  }

  async start(): Promise<{ httpPort?: number; httpsPort?: number }> {
    this.#healthTimer ??= setInterval(() => this.#reportHealth(), 5000);
    this.#healthTimer.unref();
    this.#reportHealth();
    const l = this.#opts.limits;
    const out: { httpPort?: number; httpsPort?: number } = {};
    const count = (code: string): void => { this.#opts.metrics.clientErrors.labels(code).inc(); };
    const refused = this.#opts.metrics.admissionRefused;
    this.#admission ??= new Admission({
      limits: l, clock: this.#opts.admission?.clock ?? systemClock, onRefused: (r) => refused.labels(r).inc(),
      ...(this.#opts.admission?.onAbuse !== undefined ? { onAbuse: this.#opts.admission.onAbuse } : {}),
    });
    if (this.#opts.http) {
      const srv = createHttpServer({
        maxHeaderSize: l.max_header_bytes, requireHostHeader: true, insecureHTTPParser: false, joinDuplicateHeaders: false,
        headersTimeout: l.header_timeout * 1000, requestTimeout: l.request_timeout * 1000, keepAliveTimeout: l.keepalive_timeout * 1000,
        // how often Node checks the header/request timeouts (its default, 30 s, would let slowloris hold sockets far longer)
        connectionsCheckingInterval: Math.max(250, Math.min(1000, l.header_timeout * 500)),
        noDelay: true,
      }, (req, res) => this.#handle(req, res, false));
      srv.maxHeadersCount = 0;
      srv.maxRequestsPerSocket = l.max_requests_per_connection;
      srv.on('clientError', (err: Error & { code?: string }, socket: Socket) => answerClientError(err, socket, count, l.max_uri_length));
      srv.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.#upgrade(req, socket, head, false));
      this.#track(srv, 'http');
      out.httpPort = await listen(srv, this.#opts.http);
      this.#http = srv;
    }
    if (this.#opts.https) {
      const srv = createSecureServer({
        allowHTTP1: true,
        SNICallback: this.#sni.callback,
        cert: this.#opts.defaultCert.cert, key: this.#opts.defaultCert.key,
        maxSessionMemory: 10,
        settings: { maxConcurrentStreams: l.h2_max_concurrent_streams, maxHeaderListSize: l.max_header_bytes, enablePush: false },
        maxHeaderListPairs: l.max_header_count + 8,
        peerMaxConcurrentStreams: l.h2_max_concurrent_streams,
        maxSessionInvalidFrames: l.h2_max_invalid_frames,
        maxSessionRejectedStreams: l.h2_max_rejected_streams,
        maxSettings: 32,
        minVersion: 'TLSv1.2',
      }, (req, res) => this.#handle(req, res, true));
      srv.setTimeout(l.request_timeout * 1000);
      srv.on('clientError', (err: Error & { code?: string }, socket: Socket) => answerClientError(err, socket, count, l.max_uri_length));
      srv.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.#upgrade(req, socket, head, true));
      this.#track(srv, 'https');
      try {
        out.httpsPort = await listen(srv, this.#opts.https);
        this.#httpsPort = out.httpsPort;
        this.#https = srv;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || this.#opts.https.optional !== true) throw e;
        this.#opts.logger.warn({ address: `${this.#opts.https.host}:${this.#opts.https.port}` }, 'the default HTTPS address is in use by another process; HTTPS is off (pass --https ADDR:PORT)');
      }
    }
    return out;
  }

  #track(srv: HttpServer | Http2SecureServer, name: string): void {
    const g = this.#opts.metrics.activeConnections.labels(name);
    const adm = this.#admission;
    // known-good clients (a request answered below 400) may use the reserved share of the global cap
    srv.on('request', (req: IncomingMessage, res: ServerResponse) => {
      res.once('finish', () => adm?.requestDone(plainIp(req.socket?.remoteAddress), res.statusCode < 400));
      adm?.watchBody(req, res);
    });
    srv.on('connection', (s: Socket) => {
      // admission before TLS and HTTP: a refused socket is destroyed at once and never counted as open
      if (adm !== undefined && !adm.admitSocket(s)) return;
      g.inc();
      this.#sockets.add(s);
      s.once('close', () => { g.dec(); this.#sockets.delete(s); });
    });
    if (srv instanceof NetServer && 'setTimeout' in srv && name === 'https') {
      (srv as Http2SecureServer).on('session', (sess: ServerHttp2Session) => {
        this.#sessions.add(sess);
        adm?.guardSession(sess);
        sess.once('close', () => this.#sessions.delete(sess));
        if (this.#draining) sess.close();
      });
    }
  }

  /**
   * Checks on the request head that the parser leaves to us, and the authority the request is for:
   * HTTP/1.x only on the HTTP/1 paths, one Host, `:authority` and Host agreeing on HTTP/2, absolute-form targets
   * routed by their own authority (RFC 9112 §3.2.2; the target is rewritten to origin-form), URI length and header
   * count limits. Returns the normalised host, or the error to answer.
   */
  #checkHead(req: EdgeRequest): { host: string } | { error: ErrorDef } {
    const l = this.#opts.limits;
    const h2 = req.httpVersionMajor === 2 && 'stream' in req;
    if (!h2 && req.httpVersionMajor !== 1) return { error: req.httpVersionMajor === 2 ? ERRORS.versionNotSupported : ERRORS.badRequest };
    const url = req.url ?? '';
    if (url.length > l.max_uri_length) return { error: ERRORS.uriTooLong };
    const raw = req.rawHeaders;
    if (raw.length > l.max_header_count * 2 + (h2 ? 10 : 0)) return { error: ERRORS.headersTooLarge };
    let hostRaw: string | undefined;
    let hosts = 0;
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i]!;
      if (n.length === 4 && (n === 'host' || n === 'Host' || n.toLowerCase() === 'host')) { hosts++; hostRaw ??= raw[i + 1]; }
    }
    if (hosts > 1) return { error: ERRORS.badRequest };
    if (h2) {
      const auth = req.headers[':authority'] as string | undefined;
      if (auth !== undefined && hostRaw !== undefined && normaliseHost(auth) !== normaliseHost(hostRaw)) return { error: ERRORS.badRequest };
      hostRaw = auth ?? hostRaw;
    }
    if (url.charCodeAt(0) !== 47 /* / */) {
      if (url === '*') return { host: normaliseHost(hostRaw) };
      const m = /^https?:\/\/([^/?#]+)([^#]*)$/i.exec(url);
      if (!m) return { error: ERRORS.badRequest };
      hostRaw = m[1];
      const rest = m[2] || '/';
      req.url = rest.startsWith('/') ? rest : '/' + rest;
    }
    return { host: normaliseHost(hostRaw) };
  }

  readonly #abusePosts: number[] = [];
  readonly #abuseFloodPerMin = Math.max(1, Number(process.env['RAMPART_ABUSE_FLOOD_PER_MIN'] ?? 30));
  /** Counts this abuse-form POST; true when there were more than the flood threshold in the last minute. */
  #abuseFlood(): boolean {
    const now = Date.now();
    const a = this.#abusePosts;
    while (a.length > 0 && a[0]! < now - 60_000) a.shift();
    a.push(now);
    if (a.length > 10_000) a.splice(0, a.length - 10_000);
    return a.length > this.#abuseFloodPerMin;
  }

  #handle(req: EdgeRequest, res: EdgeResponse, tls: boolean): void {
    const start = performance.now();
    const head = this.#checkHead(req);
    const ctx = new RequestContext(nextRay(), req, res, plainIp(req.socket.remoteAddress), tls, 'error' in head ? '' : head.host, start);
    this.#inflight++;
    res.once('close', () => this.#done(ctx, this.#pipeline));
    if (this.#draining && req.httpVersionMajor === 1) res.setHeader('connection', 'close');
    if ('error' in head) { this.#sendError(ctx, head.error); return; }
    const zone = lookupZone(this.#snapshot, ctx.host);
    if (this.#opts.abuse?.matches(req.url, zone !== undefined)) {
      if (zone) ctx.zone = zone;
      // a flood of reports (more than RAMPART_ABUSE_FLOOD_PER_MIN posts a minute on this process) is met with the
      // zone's challenge: a reporter solves it once (a clearance cookie) and posts; the per-IP limit stays
      if (zone !== undefined && req.method === 'POST' && this.#challenge !== undefined && this.#abuseFlood()) {
        const v = this.#challenge.onChallenge(ctx, { kind: 'challenge', method: 'managed', reason: 'abuse.flood' });
        if (v.kind !== 'continue') { ctx.final = { phase: 'challenge', verdict: v }; this.#answer(ctx, v); return; }
      }
      void this.#opts.abuse.handle(req, res, { ip: ctx.clientIp, host: ctx.host, zone: zone?.name });
      return;
    }
    // the operator's public transparency page: on every zone at /.rampart/transparency, elsewhere at /transparency
    if ((req.method === 'GET' || req.method === 'HEAD') && (req.url === TRANSPARENCY_PATH || (zone === undefined && req.url === '/transparency'))) {
      const page = this.#snapshot.global.get(TRANSPARENCY_PAGE_KIND)?.[0]?.data as { html?: string } | undefined;
      if (page?.html !== undefined) {
        this.#send(ctx, 200, page.html, 'text/html; charset=utf-8', { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'", 'cache-control': 'public, max-age=300' });
        return;
      }
    }
    if (zone === undefined) { this.#sendError(ctx, ERRORS.unknownHost); return; }
    ctx.zone = zone;
    if (req.url === '*') { this.#send(ctx, 200, '', 'text/plain', { allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' }); return; }
    if (zone.settings.paused) ctx.addSkip(SECURITY_PHASES);
    // HTTPS settings: Always Use HTTPS (but the ACME HTTP-01 answers stay on HTTP), and HSTS on every HTTPS answer
    if (!tls && zone.settings.always_use_https === true && !req.url?.startsWith('/.well-known/acme-challenge/')) {
      const port = this.#httpsPort === undefined || this.#httpsPort === 443 ? '' : `:${this.#httpsPort}`;
      const host = ctx.host.startsWith('[') ? ctx.host.slice(0, ctx.host.indexOf(']') + 1) : ctx.host.split(':')[0]!;
      const v: Verdict = { kind: 'respond', status: req.method === 'GET' || req.method === 'HEAD' ? 301 : 308, reason: 'https.redirect', headers: { location: `https://${host}${port}${req.url ?? '/'}` }, body: '' };
      ctx.final = { phase: 'legal', verdict: v };
      this.#answer(ctx, v);
      return;
    }
    const hsts = zone.settings.hsts;
    if (tls && hsts !== undefined && hsts.enabled) {
      res.setHeader('strict-transport-security', `max-age=${hsts.max_age}${hsts.include_subdomains ? '; includeSubDomains' : ''}${hsts.preload ? '; preload' : ''}`);
    }
    // ACME HTTP-01 (src/control/services/acme.ts): the key authorisation for a pending token, before any phase
    if (req.method === 'GET' && req.url?.startsWith('/.well-known/acme-challenge/')) {
      const token = req.url.slice('/.well-known/acme-challenge/'.length);
      const d = this.#snapshot.global.get('acme_http01')?.find((x) => x.id === token);
      if (d !== undefined) { this.#send(ctx, 200, (d.data as { keyAuthorization: string }).keyAuthorization, 'text/plain'); return; }
    }
    if (this.#challenge !== undefined && req.method === 'POST' && (req.url === VERIFY_PATH || req.url?.startsWith(VERIFY_PATH + '?'))) {
      this.#challenge.verify(ctx).then((v) => { ctx.final = { phase: 'challenge', verdict: v }; this.#answer(ctx, v); }, (e: unknown) => this.#fault(ctx, e));
      return;
    }
    try {
      const r = runRequest(ctx, this.#pipeline, this.#answer);
      if (r !== undefined) r.catch((e: unknown) => this.#fault(ctx, e));
    } catch (e) {
      this.#fault(ctx, e);
    }
  }

  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer, tls: boolean): void {
    const start = performance.now();
    const res = new ServerResponse(req);
    res.assignSocket(socket);
    res.shouldKeepAlive = false;
    // an answer from the edge itself ends the connection: it was never upgraded
    res.once('finish', () => socket.destroySoon());
    const checked = this.#checkHead(req);
    const ctx = new RequestContext(nextRay(), req, res, plainIp(socket.remoteAddress), tls, 'error' in checked ? '' : checked.host, start);
    ctx.notes.set(UPGRADE_SOCKET, { socket, head });
    this.#inflight++;
    let logged = false;
    const fin = (): void => { if (!logged) { logged = true; this.#done(ctx, this.#upgradePipeline); } };
    socket.once('close', fin);
    socket.on('error', () => socket.destroy());
    socket.setTimeout(this.#opts.limits.request_timeout * 1000, () => { if (!ctx.originStatus) socket.destroy(); });
    if ('error' in checked) { this.#sendError(ctx, checked.error); return; }
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') { this.#sendError(ctx, ERRORS.upgradeNotSupported); return; }
    const zone = lookupZone(this.#snapshot, ctx.host);
    if (zone === undefined) { this.#sendError(ctx, ERRORS.unknownHost); return; }
    ctx.zone = zone;
    if (zone.settings.paused) ctx.addSkip(SECURITY_PHASES);
    try {
      const r = runRequest(ctx, this.#upgradePipeline, this.#answer);
      if (r !== undefined) r.catch((e: unknown) => this.#fault(ctx, e));
    } catch (e) {
      this.#fault(ctx, e);
    }
  }

  #done(ctx: RequestContext, p: Pipeline): void {
    try { runLog(ctx, p); } catch (e) { this.#opts.logger.error({ err: (e as Error).message, ray: ctx.ray }, 'log phase failed'); }
    this.#inflight--;
  }

  readonly #answer = (ctx: RequestContext, v: Verdict): void => {
    if (v.kind === 'drop') { ctx.res.destroy(); return; }
    if (v.kind === 'served') return;
    if (v.kind === 'respond') {
      if (v.body !== undefined) { this.#send(ctx, v.status, v.body, v.contentType ?? 'text/plain; charset=utf-8', v.headers); return; }
      this.#sendError(ctx, DEF_BY_CODE.get(v.reason) ?? blockDef(v.status, v.reason), v.headers);
      return;
    }
    if (v.kind === 'continue') return;
    // A challenge that reached here had no challenge phase to serve it: refuse rather than let it through.
    this.#sendError(ctx, blockDef(403, v.reason));
  };

  #fault(ctx: RequestContext, e: unknown): void {
    ctx.errorCode = ERRORS.internal.code;
    ctx.errorDetail = e instanceof Error ? e.message : String(e);
    this.#opts.logger.error({ ray: ctx.ray, err: ctx.errorDetail, stack: e instanceof Error ? e.stack : undefined }, 'request fault');
    if (!ctx.res.headersSent) this.#sendError(ctx, ERRORS.internal); else ctx.res.destroy();
  }

  #sendError(ctx: RequestContext, def: ErrorDef, extra?: Readonly<Record<string, string>>): void {
    if (ctx.final === undefined && def.side !== 'browser' && ctx.errorCode === undefined) ctx.errorCode = def.code;
    const { body, contentType } = renderError({ def, ray: ctx.ray, host: ctx.host }, ctx.req.headers.accept);
    this.#send(ctx, def.status, body, contentType, extra);
  }

  #send(ctx: RequestContext, status: number, body: string, contentType: string, extra?: Readonly<Record<string, string>>): void {
    const res = ctx.res;
    if (res.headersSent || res.destroyed) { res.destroy(); return; }
    const buf = Buffer.from(body);
    const headers: Record<string, string | number> = { 'content-type': contentType, 'content-length': buf.length, 'cache-control': 'no-store', 'rampart-ray': ctx.ray, ...extra };
    if (status === 429 && extra?.['retry-after'] === undefined && headers['retry-after'] === undefined) headers['retry-after'] = 60;
    ctx.bytesOut += buf.length;
    (res as ServerResponse).writeHead(status, headers);
    (res as ServerResponse).end(ctx.req.method === 'HEAD' ? undefined : buf);
  }

  /** Stop accepting, let in-flight requests finish (up to `timeoutMs`), then close what is left. */
  /**
   * Graceful stop: stop accepting connections, then let the open ones finish. Idle keep-alive connections are
   * not cut (a request may be on its way on one): requests that still arrive are answered with
   * `Connection: close`, idle connections end at their keep-alive timeout, HTTP/2 sessions get a GOAWAY.
   * After `timeoutMs` whatever is left is closed.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    this.#draining = true;
    clearInterval(this.#healthTimer);
    const servers = [this.#http, this.#https].filter((s): s is HttpServer | Http2SecureServer => s !== undefined);
    // net.Server.close stops listening without http.Server's immediate closing of idle connections
    const closed = servers.map((s) => new Promise<void>((r) => NetServer.prototype.close.call(s, () => r())));
    for (const sess of this.#sessions) sess.close();
    const deadline = Date.now() + timeoutMs;
    while (this.#sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    this.#http?.closeAllConnections();
    for (const s of this.#sockets) s.destroy();
    await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, 1000).unref())]);
    await this.pools.close();
    await this.#opts.events?.flush();
    this.#opts.accessLog.flush();
  }

  get inflight(): number { return this.#inflight; }
}

function listen(srv: HttpServer | Http2SecureServer, a: { host: string; port: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(a.port, a.host, () => { srv.removeListener('error', reject); resolve((srv.address() as AddressInfo).port); });
  });
}
