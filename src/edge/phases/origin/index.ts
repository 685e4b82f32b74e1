/**
 * The origin phase: proxy the request to the zone's pool and stream the answer back with backpressure.
 * Fails over to another origin when a connection cannot be made and the request has no body to replay;
 * otherwise a failure before the response head becomes a 502/504 verdict (answered with the error page),
 * and a failure after it aborts the client's response.
 */
import type { Dispatcher } from 'undici';
import { ERRORS } from '../../errors/codes.ts';
import type { ErrorDef } from '../../errors/codes.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import type { CompiledOrigin, CompiledZone } from '../../../config/snapshot.ts';
import type { HealthState, UpstreamPools } from '../../upstream/pools.ts';
import type { EdgeMetrics } from '../../../telemetry/metrics.ts';
import { forwardHeaders, pairsToObject, responseHeaders } from './forward-headers.ts';
import { Readable } from 'node:stream';
import type { Http2ServerRequest } from 'node:http2';
import { BODY_NOTE, ORIGIN_TAP_NOTE } from '../../pipeline/context.ts';
import type { OriginTap } from '../../pipeline/context.ts';
import { RESPONSE_TRANSFORM_NOTE, createBodySink } from '../transforms/index.ts';
import type { BodySink, ResponseTransform } from '../transforms/index.ts';
// --- issue 6: origin protection (concurrency gate, authenticated origin pull); docs/bots-and-origin.md
import { ORIGIN_AUTH_HEADER, ORIGIN_OVERLOADED, OriginGate, originAuthHeader, overloadedVerdict } from '../origin-protection/index.ts';
import type { Release } from '../origin-protection/index.ts';
import { Counter } from 'prom-client';
// ---

export interface OriginDeps {
  readonly pools: UpstreamPools;
  readonly health: HealthState;
  readonly metrics: EdgeMetrics;
}

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);
const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** Errors caused by the request itself (undici refuses it): not the origin's fault. */
const REQUEST_ERRORS = new Set(['UND_ERR_NOT_SUPPORTED', 'UND_ERR_INVALID_ARG', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'UND_ERR_ABORTED']);

export function classifyOriginError(code: string | undefined, name?: string): ErrorDef {
  if (code !== undefined && REQUEST_ERRORS.has(code)) return ERRORS.badRequest;
  if (name === 'HTTPParserError') return ERRORS.originBadResponse;
  if (code !== undefined && TIMEOUTS.has(code)) return ERRORS.originTimeout;
  if (code !== undefined && (code.startsWith('HPE_') || code === 'UND_ERR_INFO' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH')) return ERRORS.originBadResponse;
  return ERRORS.originRefused;
}

export function errorVerdict(def: ErrorDef): Verdict {
  return { kind: 'respond', status: def.status, reason: def.code };
}

function hasBody(ctx: RequestContext): boolean {
  const h = ctx.req.headers;
  if (h['transfer-encoding'] !== undefined) return true;
  const cl = h['content-length'];
  if (cl !== undefined) return cl !== '0';
  // HTTP/2: a body may come without content-length; the stream tells us whether the client ended it already
  return ctx.req.httpVersionMajor === 2 && !(ctx.req as { readableEnded?: boolean }).readableEnded && ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD';
}

export function createOriginPhase(deps: OriginDeps): Phase {
  // --- issue 6: per-zone cap on requests in flight to the origin, with a short queue (per edge process)
  const gate = new OriginGate();
  const name = 'rampart_origin_overloaded_total';
  const overloaded = (deps.metrics.registry.getSingleMetric(name) as Counter<'zone' | 'why'> | undefined)
    ?? new Counter({ name, help: 'Requests answered 503 origin.overloaded: the zone\'s origin was at origin_max_concurrency and the queue full or too slow', labelNames: ['zone', 'why'] as const, registers: [deps.metrics.registry] });
  const go = (ctx: RequestContext, zone: CompiledZone, release: Release): Promise<Verdict> =>
    new Promise<Verdict>((resolve) => attempt(ctx, zone, deps, undefined, (v) => { release(); resolve(v); }));
  const refuse = (ctx: RequestContext, zone: CompiledZone, why: string): Verdict => {
    overloaded.labels(zone.name, why).inc();
    if (why === 'client_gone') { ctx.errorCode = 'client.closed'; return CONTINUE; }
    const tap = ctx.notes.get(ORIGIN_TAP_NOTE) as OriginTap | undefined;
    if (tap?.fallback?.(ORIGIN_OVERLOADED)) return { kind: 'served', reason: 'cache.stale_on_error' };
    return overloadedVerdict(ctx);
  };
  // ---
  return {
    name: 'origin',
    onRequest(ctx: RequestContext): Verdict | Promise<Verdict> {
      const zone = ctx.zone!;
      if (zone.pool.origins.length === 0) return errorVerdict(ERRORS.noOrigin);
      // --- issue 6: origin protection
      const s = zone.settings;
      const max = s.origin_max_concurrency ?? 0;
      if (max > 0) {
        const limits = { max, queue: s.origin_queue ?? 16, timeoutMs: s.origin_queue_timeout_ms ?? 2000 };
        const r = gate.enter(zone.id, limits, (cancel) => ctx.res.once('close', cancel));
        if (typeof r === 'function') return go(ctx, zone, r);
        if (typeof r === 'string') return refuse(ctx, zone, r);
        return r.then((x) => (typeof x === 'function' ? go(ctx, zone, x) : refuse(ctx, zone, x)));
      }
      // ---
      return new Promise<Verdict>((resolve) => attempt(ctx, zone, deps, undefined, resolve));
    },
  };
}

function attempt(ctx: RequestContext, zone: CompiledZone, deps: OriginDeps, tried: Set<string> | undefined, done: (v: Verdict) => void): void {
  const origin = deps.health.pick(zone.id, zone.pool, tried);
  if (origin === undefined) { done(errorVerdict(ERRORS.originUnavailable)); return; }
  ctx.originAddress = origin.key;
  const req = ctx.req;
  const res = ctx.res;
  const tap = ctx.notes.get(ORIGIN_TAP_NOTE) as OriginTap | undefined;
  const buffered = ctx.notes.get(BODY_NOTE) as Buffer | Readable | undefined;
  const body = buffered !== undefined || hasBody(ctx);
  const headers = forwardHeaders(req.rawHeaders, ctx.clientIp, ctx.tls, ctx.ray, ctx.host, zone.pool.hostHeader);
  // --- issue 6: authenticated origin pull (a client's own header of that name is dropped)
  const pullSecret = zone.settings.origin_pull_secret;
  if (typeof pullSecret === 'string' && pullSecret !== '') {
    for (let i = headers.length - 2; i >= 0; i -= 2) if (headers[i]!.toLowerCase() === ORIGIN_AUTH_HEADER) headers.splice(i, 2);
    headers.push(ORIGIN_AUTH_HEADER, originAuthHeader(pullSecret, ctx.ray, (zone.pool.hostHeader ?? ctx.host).toLowerCase(), Date.now()));
  }
  // ---
  const pool = deps.pools.get(origin, zone.pool.connectTimeoutMs);
  const sent = performance.now();
  let abort: ((err?: Error) => void) | undefined;
  let headersDone = false;
  let finished = false;
  let sink: BodySink | undefined; // transforms (email obfuscation, compression) between the origin and the client
  const onClientClose = (): void => {
    if (!finished && abort) abort(new Error('client closed'));
  };
  res.once('close', onClientClose);
  // a client that resets its stream mid-upload must not have a truncated body delivered as complete
  if (body) req.once('aborted', () => { if (!finished && abort) abort(Object.assign(new Error('client aborted the request'), { code: 'UND_ERR_ABORTED' })); });

  const handler: Dispatcher.DispatchHandler = {
    onConnect(a) { abort = a; },
    onHeaders(status, rawHeaders, resume) {
      if (status < 200) return true; // 1xx informational: not forwarded (100-continue is handled by the server)
      headersDone = true;
      ctx.originStatus = status;
      ctx.originMs = performance.now() - sent;
      deps.metrics.originLatency.labels(zone.name).observe(ctx.originMs / 1000);
      deps.health.reportPassive(zone.id, origin.key, status < 500 || status > 504 || status === 501, zone.pool.health.passive_failures);
      const flat = responseHeaders(rawHeaders as unknown as Buffer[], ctx.ray);
      if (res.headersSent || res.destroyed) {
        // the client is gone: abort the exchange (pausing it would leave it, and anyone waiting on it, hanging)
        abort?.(new Error('client closed'));
        return false;
      }
      if (tap !== undefined) {
        if (status >= 500 && tap.fallback?.(`origin.status_${status}`)) {
          finished = true; // answered from the cache: drop the origin's answer
          res.removeListener('close', onClientClose);
          abort?.(new Error('served stale'));
          done({ kind: 'served', reason: 'cache.stale_on_error' });
          return false;
        }
      }
      // --- transforms: rewrite the head (and below, the body) before the cache tap sees them (docs/transforms.md)
      const transform = (ctx.notes.get(RESPONSE_TRANSFORM_NOTE) as ResponseTransform | undefined)?.begin(status, flat);
      // ---
      if (tap !== undefined) {
        const extra = tap.onHeaders(status, pairsToObject(flat));
        if (extra !== undefined) {
          // a Cache-Control from the cache (a rule's browser TTL) replaces the origin's, and its Expires
          if (extra['cache-control'] !== undefined) {
            for (let i = flat.length - 2; i >= 0; i -= 2) { const n = flat[i]!.toLowerCase(); if (n === 'cache-control' || n === 'expires') flat.splice(i, 2); }
          }
          for (const k in extra) flat.push(k, extra[k]!);
        }
      }
      if (req.httpVersionMajor === 2) (res as import('node:http2').Http2ServerResponse).writeHead(status, pairsToObject(flat));
      else (res as import('node:http').ServerResponse).writeHead(status, flat);
      if (transform !== undefined) sink = createBodySink(transform, ctx, tap, resume);
      else res.on('drain', resume);
      return true;
    },
    onData(chunk) {
      if (sink !== undefined) return sink.write(chunk);
      ctx.bytesOut += chunk.length;
      tap?.onData(chunk);
      return (res as import('node:http').ServerResponse).write(chunk);
    },
    onComplete() {
      finished = true;
      if (sink !== undefined) { res.removeListener('close', onClientClose); sink.end(() => done(CONTINUE)); return; }
      tap?.onComplete();
      res.removeListener('close', onClientClose);
      res.end();
      done(CONTINUE);
    },
    onError(err) {
      if (finished) return;
      finished = true;
      sink?.destroy();
      res.removeListener('close', onClientClose);
      tap?.onError(err);
      const code = (err as { code?: string }).code;
      if (res.destroyed || (err.message === 'client closed')) { ctx.errorCode = 'client.closed'; done(CONTINUE); return; }
      const def = classifyOriginError(code, err.name);
      if (def !== ERRORS.badRequest) deps.health.reportPassive(zone.id, origin.key, false, zone.pool.health.passive_failures);
      deps.metrics.originFailures.labels(zone.name, def.code).inc();
      ctx.errorDetail = `${origin.key}: ${code ?? ''} ${err.message}`;
      if (headersDone) {
        ctx.errorCode = def.code;
        res.destroy(err); // the head is gone: abort so the client sees an incomplete response, not a truncated success
        done(CONTINUE);
        return;
      }
      if (!body && code !== undefined && CONNECT_ERRORS.has(code) && zone.pool.origins.length > 1) {
        const t = tried ?? new Set<string>();
        t.add(origin.key);
        if (t.size < zone.pool.origins.length) { attempt(ctx, zone, deps, t, done); return; }
      }
      if (tap?.fallback?.(def.code)) { done({ kind: 'served', reason: 'cache.stale_on_error' }); return; }
      done(errorVerdict(def));
    },
  };

  pool.dispatch({
    path: req.url ?? '/',
    method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
    headers,
    body: buffered ?? (body ? (req.httpVersionMajor === 2 ? Readable.from(h2Body(req as Http2ServerRequest), { objectMode: false }) : req) : null),
    headersTimeout: zone.pool.responseTimeoutMs,
    bodyTimeout: zone.pool.responseTimeoutMs,
    upgrade: null,
  }, handler);
}

/**
 * An HTTP/2 request body for undici that fails instead of ending when the client reset the stream (RST_STREAM,
 * or a content-length mismatch nghttp2 refused): a truncated upload must never reach the origin as complete.
 */
async function* h2Body(req: Http2ServerRequest): AsyncGenerator<Buffer> {
  for await (const c of req) yield c as Buffer;
  await new Promise((r) => setImmediate(r));
  const stream = req.stream as (typeof req.stream & { rstCode?: number }) | undefined;
  if (req.aborted || (stream !== undefined && stream.rstCode !== undefined && stream.rstCode !== 0)) {
    throw Object.assign(new Error('the client reset the stream before the body was complete'), { code: 'UND_ERR_ABORTED' });
  }
}

export type { CompiledOrigin };
