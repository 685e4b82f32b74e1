/**
 * The cache phase: an RFC 9111 shared cache in front of the origin (src/cache/ holds the policy and stores).
 * HIT → answered from the store (Range and HEAD from a stored GET); MISS/EXPIRED → the origin exchange is tapped
 * and, when storable, written to the store while it streams to the client; concurrent misses for one key wait for
 * the first (request coalescing) and are then served from the store; when the origin fails (refused, timeout,
 * 5xx) a stale copy is served if the policy allows (stale-if-error, Always Online). `rampart-cache-status` says
 * which: HIT, STALE, MISS, EXPIRED, DYNAMIC (not storable); requests the cache does not handle (other methods,
 * cache off, request directives that bypass it) carry no such header.
 */
import type { Readable } from 'node:stream';
import {
  buildEntry, cacheKey, decide, freshnessLifetime, hitHeaders, isStorable, lookupEntry, serveRange, staleOnError,
} from '../../../cache/index.ts';
import type { CacheStore, CachedEntry, CacheWriter } from '../../../state/cache-store.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import { ORIGIN_TAP_NOTE } from '../../pipeline/context.ts';
import type { OriginTap, RequestContext } from '../../pipeline/context.ts';

export const CACHE_STATUS = 'rampart-cache-status';

export interface CachePhaseDeps {
  readonly store: CacheStore;
  readonly now: () => number;
  /** How long a coalesced request waits for the first one before going to the origin itself. */
  readonly coalesceTimeoutMs: number;
  readonly onError: (err: unknown) => void;
}

type Headers = Record<string, string | string[] | undefined>;

function reqHeaders(ctx: RequestContext): Headers {
  return ctx.req.headers as Headers;
}

/** Write a stored entry to the client. */
function serve(ctx: RequestContext, entry: CachedEntry, now: number, label: string, extra?: Record<string, string>): Verdict {
  const res = ctx.res;
  const meta = entry.meta;
  const h: Record<string, string | string[]> = { ...hitHeaders(meta, now), [CACHE_STATUS]: label, 'rampart-ray': ctx.ray, ...extra };
  delete h['connection']; delete h['transfer-encoding']; delete h['keep-alive'];
  const range = ctx.req.method === 'GET' ? serveRange(meta, ctx.req.headers.range, ctx.req.headers['if-range'] as string | undefined) : { kind: 'full' as const };
  let status = meta.status;
  let body: Readable | undefined;
  if (range.kind === 'unsatisfiable') { status = 416; Object.assign(h, range.headers); h['content-length'] = '0'; }
  else if (range.kind === 'partial') { status = 206; Object.assign(h, range.headers); body = entry.body(range.range); }
  else { h['content-length'] = String(meta.size); body = entry.body(); }
  if (ctx.req.httpVersionMajor === 2) for (const k of Object.keys(h)) if (k !== k.toLowerCase()) { h[k.toLowerCase()] = h[k]!; delete h[k]; }
  (res as import('node:http').ServerResponse).writeHead(status, h);
  if (ctx.req.method === 'HEAD' || body === undefined) { body?.destroy(); res.end(); return { kind: 'served', reason: `cache.${label.toLowerCase()}` }; }
  body.on('data', (c: Buffer) => { ctx.bytesOut += c.length; });
  body.on('error', () => res.destroy());
  body.pipe(res as NodeJS.WritableStream);
  return { kind: 'served', reason: `cache.${label.toLowerCase()}` };
}

export function createCachePhase(deps: CachePhaseDeps): Phase {
  const inflight = new Map<string, Promise<void>>();

  function tap(ctx: RequestContext, key: string, stale: CachedEntry | undefined, label: string, release: () => void): OriginTap {
    const requestTime = deps.now();
    let writer: Promise<CacheWriter> | undefined;
    let chain: Promise<unknown> = Promise.resolve();
    let failed = false;
    const zone = ctx.zone!;
    return {
      onHeaders(status, headers) {
        const st = isStorable({ method: ctx.req.method ?? 'GET', headers: reqHeaders(ctx) }, { status, headers });
        // Like nginx and Cloudflare, store only what is fresh for some time (explicit or heuristic freshness): a
        // response stale from birth would only ever be revalidated, or served stale when the origin is down.
        if (!st.storable || freshnessLifetime({ status, headers, responseTime: deps.now() }).lifetime <= 0) {
          release(); // nothing will be stored: waiting requests go to the origin now, not after this whole body
          return { [CACHE_STATUS]: label === 'EXPIRED' ? 'EXPIRED' : 'DYNAMIC' };
        }
        const url = ctx.req.url ?? '/';
        const q = url.indexOf('?');
        const entry = buildEntry({
          url: { zone: zone.id, scheme: ctx.tls ? 'https' : 'http', host: ctx.host, path: q < 0 ? url : url.slice(0, q), query: q < 0 ? '' : url.slice(q + 1) },
          requestHeaders: reqHeaders(ctx), status, responseHeaders: headers, requestTime, responseTime: deps.now(), strip: st.strip,
        });
        if (entry.key !== key) { deps.onError(new Error(`cache key mismatch ${entry.key} vs ${key}`)); return { [CACHE_STATUS]: 'DYNAMIC' }; }
        writer = deps.store.createWriter(entry);
        chain = writer;
        // from here the commit (or abort) releases coalesced waiters, not the end of the response
        ctx.notes.delete('cache.release');
        writer.catch(() => { failed = true; });
        return { [CACHE_STATUS]: label };
      },
      onData(chunk) {
        if (writer === undefined || failed) return;
        chain = chain.then(async () => { if (!failed) await (await writer!).write(chunk); }).catch(() => { failed = true; });
      },
      onComplete() {
        if (writer === undefined) { release(); return; }
        chain.then(async () => {
          const w = await writer!;
          if (failed) await w.abort(); else await w.commit();
        }).catch((e: unknown) => deps.onError(e)).finally(release);
      },
      onError() {
        if (writer !== undefined) chain.then(async () => (await writer!).abort()).catch(() => {}).finally(release);
        else release();
      },
      fallback(reason) {
        if (stale === undefined || !zone.zone.cache.always_online) return false;
        const s = staleOnError(stale.meta, reqHeaders(ctx), deps.now(), { alwaysOnlineMaxStaleSeconds: zone.zone.cache.always_online_max_stale });
        if (!s.serve) return false;
        serve(ctx, stale, deps.now(), 'STALE', { 'rampart-always-online': s.via === 'always-online' ? 'served-stale' : 'stale-if-error', warning: '110 rampart "Response is Stale"' });
        ctx.matched.push(`cache:${reason}:stale`);
        release();
        return true;
      },
    };
  }

  async function run(ctx: RequestContext, key: string, coalesced: boolean): Promise<Verdict> {
    const now = deps.now();
    let hit: CachedEntry | undefined;
    try { hit = await lookupEntry(deps.store, key, reqHeaders(ctx)); } catch (e) { deps.onError(e); return CONTINUE; }
    const d = decide({ method: ctx.req.method ?? 'GET', headers: reqHeaders(ctx), stored: hit?.meta, now });
    if (d.kind === 'HIT' && hit !== undefined) return serve(ctx, hit, now, d.stale ? 'STALE' : 'HIT');
    if (d.kind === 'BYPASS') return CONTINUE;
    if (d.kind === 'UNAVAILABLE') return { kind: 'respond', status: 504, reason: 'cache.only_if_cached', headers: { [CACHE_STATUS]: 'MISS' } };
    // MISS, EXPIRED (stale copy kept for errors), STALE/REVALIDATE (fetched again in full)
    const label = hit !== undefined ? 'EXPIRED' : 'MISS';
    const pending = inflight.get(key);
    if (pending !== undefined && !coalesced) {
      await Promise.race([pending, new Promise((r) => setTimeout(r, deps.coalesceTimeoutMs).unref())]);
      if (ctx.res.destroyed || ctx.res.writableEnded) return { kind: 'drop', reason: 'client.closed' }; // gone while waiting
      return run(ctx, key, true);
    }
    // a client that went away has had its log phase already: it must not become the one others wait for
    if (ctx.res.destroyed || ctx.res.writableEnded) return { kind: 'drop', reason: 'client.closed' };
    let release!: () => void;
    const p = new Promise<void>((r) => { release = r; });
    if (pending === undefined) {
      inflight.set(key, p);
      void p.then(() => { if (inflight.get(key) === p) inflight.delete(key); });
    }
    let released = false;
    const once = (): void => { if (!released) { released = true; release(); } };
    ctx.notes.set(ORIGIN_TAP_NOTE, tap(ctx, key, hit, label, once));
    ctx.notes.set('cache.release', once);
    return CONTINUE;
  }

  return {
    name: 'cache',
    onRequest(ctx: RequestContext): Verdict | Promise<Verdict> {
      const m = ctx.req.method;
      const zone = ctx.zone!;
      if ((m !== 'GET' && m !== 'HEAD') || !zone.zone.cache.enabled) return CONTINUE;
      const url = ctx.req.url ?? '/';
      const q = url.indexOf('?');
      const key = cacheKey({ zone: zone.id, scheme: ctx.tls ? 'https' : 'http', host: ctx.host, path: q < 0 ? url : url.slice(0, q), query: q < 0 ? '' : url.slice(q + 1) });
      return run(ctx, key, false);
    },
    onLog(ctx: RequestContext): void {
      // whatever happened (client gone, error page), never leave coalesced requests waiting
      (ctx.notes.get('cache.release') as (() => void) | undefined)?.();
    },
  };
}
