/**
 * The cache phase: an RFC 9111 shared cache in front of the origin (src/cache/ holds the policy and stores).
 * HIT → answered from the store (Range and HEAD from a stored GET, a client's own conditional request → 304);
 * expired with a validator → one conditional request to the origin (coalesced): 304 → the stored headers and
 * freshness are merged and the entry served as REVALIDATED, anything else → fetched again through the origin phase;
 * stale-while-revalidate → served as UPDATING while one background refresh runs; MISS/EXPIRED → the origin
 * exchange is tapped and, when storable, written to the store while it streams to the client; concurrent misses
 * for one key wait for the first (request coalescing) and are then served from the store; when the origin fails
 * (refused, timeout, 5xx) a stale copy is served if the policy allows (stale-if-error, Always Online).
 * The zone's cache rules (rules.ts) may bypass the cache, cache everything, override TTLs and the cache key.
 * `rampart-cache-status` says which: HIT, STALE, UPDATING, REVALIDATED, MISS, EXPIRED, DYNAMIC (not storable),
 * BYPASS; `Cache-Status` (RFC 9211) says it in the standard form. Requests the cache does not handle (other
 * methods, cache off) carry neither.
 */
import type { Readable } from 'node:stream';
import {
  buildEntry, cacheKey, clientNotModified, decide, entryBuffer, formatCacheStatus, freshenEntry, freshnessLifetime, hitHeaders, invalidationTargets,
  isStorable, keyForUrl, lookupEntry, NOT_MODIFIED_FIELDS, QueryVariantLimiter, serveRange, staleOnError, timingOf,
} from '../../../cache/index.ts';
import type { CacheRuleOutcome, CacheStatusParts, KeyOptions, PolicyOptions } from '../../../cache/index.ts';
import type { CacheStore, CachedEntry, CacheWriter } from '../../../state/cache-store.ts';
import type { CompiledZone } from '../../../config/snapshot.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import { ORIGIN_TAP_NOTE } from '../../pipeline/context.ts';
import type { OriginTap, RequestContext } from '../../pipeline/context.ts';
import { OriginCheck } from './origin-check.ts';
import type { CheckRequest, CheckResult } from './origin-check.ts';
import { cacheRulesOf, evaluateCacheRules, toKeyOptions } from './rules.ts';

export const CACHE_STATUS = 'rampart-cache-status';
export { OriginCheck } from './origin-check.ts';

/** Default edge TTL of `cache_everything` for responses without explicit freshness (Cloudflare's: 2 h). */
export const CACHE_EVERYTHING_DEFAULT_TTL = 7200;

export interface CachePhaseDeps {
  readonly store: CacheStore;
  readonly now: () => number;
  /** How long a coalesced request waits for the first one before going to the origin itself. */
  readonly coalesceTimeoutMs: number;
  readonly onError: (err: unknown) => void;
  /** Cache rules that do not compile (the others still apply). */
  readonly onRuleError?: (zone: string, err: unknown) => void;
  /** The cache's own conditional requests (default: its own pools). */
  readonly originCheck?: OriginCheck;
  /**
   * Body bytes allowed to queue for the store while the client is served (the store is slower than the origin);
   * past it the copy is dropped and the response is only served (default 16 MiB).
   */
  readonly maxQueuedBytes?: number;
  /** How long a key whose origin answer was not storable skips coalescing (default 60 s; 0 = off). */
  readonly hitForPassMs?: number;
}

type Headers = Record<string, string | string[] | undefined>;

/** What the cache does for one request: its key and policy, from the zone's settings and cache rules. */
interface Plan {
  readonly key: string;
  readonly path: string;
  readonly query: string;
  readonly keyOptions: KeyOptions;
  readonly policy: PolicyOptions;
  readonly rules: CacheRuleOutcome;
}

function reqHeaders(ctx: RequestContext): Headers {
  return ctx.req.headers as Headers;
}

/** Client validators must not reach the origin on a miss: a 304 there would leave nothing to store. */
function dropClientConditionals(ctx: RequestContext): void {
  const raw = ctx.req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    const n = raw[i]!.toLowerCase();
    if (n === 'if-none-match' || n === 'if-modified-since') raw.splice(i, 2);
  }
}

function withCacheStatus(existing: string | string[] | undefined, ours: string): string {
  const prev = Array.isArray(existing) ? existing.join(', ') : existing;
  return prev === undefined || prev === '' ? ours : `${prev}, ${ours}`;
}

/** Write a stored entry to the client. */
function serve(ctx: RequestContext, entry: CachedEntry, now: number, label: string, plan: Plan, status: CacheStatusParts, extra?: Record<string, string>): Verdict {
  const res = ctx.res;
  const meta = entry.meta;
  const h: Record<string, string | string[]> = { ...hitHeaders(meta, now), [CACHE_STATUS]: label, 'rampart-ray': ctx.ray, ...extra };
  h['cache-status'] = withCacheStatus(meta.headers['cache-status'], formatCacheStatus(status));
  delete h['connection']; delete h['transfer-encoding']; delete h['keep-alive'];
  if (plan.rules.browserTtl !== undefined) { h['cache-control'] = `max-age=${plan.rules.browserTtl}`; delete h['expires']; }
  const reason = `cache.${label.toLowerCase()}`;
  if (ctx.req.httpVersionMajor === 2) for (const k of Object.keys(h)) if (k !== k.toLowerCase()) { h[k.toLowerCase()] = h[k]!; delete h[k]; }
  if (meta.status === 200 && ctx.req.headers.range === undefined && clientNotModified(reqHeaders(ctx), meta.headers)) {
    const nm: Record<string, string | string[]> = { [CACHE_STATUS]: label, 'rampart-ray': ctx.ray, 'cache-status': h['cache-status']!, ...extra };
    for (const f of NOT_MODIFIED_FIELDS) if (h[f] !== undefined) nm[f] = h[f]!;
    (res as import('node:http').ServerResponse).writeHead(304, nm);
    res.end();
    return { kind: 'served', reason };
  }
  const range = ctx.req.method === 'GET' ? serveRange(meta, ctx.req.headers.range, ctx.req.headers['if-range'] as string | undefined) : { kind: 'full' as const };
  let code = meta.status;
  let body: Readable | undefined;
  if (range.kind === 'unsatisfiable') { code = 416; Object.assign(h, range.headers); h['content-length'] = '0'; }
  else if (range.kind === 'partial') { code = 206; Object.assign(h, range.headers); body = entry.body(range.range); }
  else {
    h['content-length'] = String(meta.size);
    const buf = entryBuffer(entry);
    if (buf !== undefined) {
      // a memory hit: one write, no stream
      (res as import('node:http').ServerResponse).writeHead(code, h);
      if (ctx.req.method === 'HEAD') res.end(); else { ctx.bytesOut += buf.length; res.end(buf); }
      return { kind: 'served', reason };
    }
    body = entry.body();
  }
  (res as import('node:http').ServerResponse).writeHead(code, h);
  if (ctx.req.method === 'HEAD' || body === undefined) { body?.destroy(); res.end(); return { kind: 'served', reason }; }
  body.on('data', (c: Buffer) => { ctx.bytesOut += c.length; });
  body.on('error', () => res.destroy());
  body.pipe(res as NodeJS.WritableStream);
  return { kind: 'served', reason };
}

export function createCachePhase(deps: CachePhaseDeps): Phase {
  const inflight = new Map<string, Promise<void>>();
  /** Conditional requests in flight, by key + variant: concurrent revalidations share one. */
  interface Check { readonly p: Promise<{ r: CheckResult; merged: Record<string, string | string[]> | undefined }>; settled?: { r: CheckResult; merged: Record<string, string | string[]> | undefined } }
  const checks = new Map<string, Check>();
  /** Background refreshes (stale-while-revalidate) in flight, by key + variant. */
  const refreshing = new Set<string>();
  const origin = deps.originCheck ?? new OriginCheck(deps.now);
  const maxQueued = deps.maxQueuedBytes ?? 16 * 1024 * 1024;
  const rulesOf = cacheRulesOf(deps.onRuleError ?? ((_z, e) => deps.onError(e)));
  /**
   * Hit-for-pass (Varnish's name): keys whose last origin answer was not storable, until when (ms). Their requests
   * are neither coalesced (that would queue every request behind one) nor stripped of the client's validators.
   */
  const passUntil = new Map<string, number>();
  const passMs = deps.hitForPassMs ?? 60_000;
  /** Cache-busting defence, one limiter per zone (its cap is a zone setting). */
  const limiters = new Map<string, QueryVariantLimiter & { cap: number }>();
  const admitQuery = (zone: CompiledZone, hostPath: string, query: string): boolean => {
    const cap = zone.zone.cache.max_query_variants ?? 1000;
    if (cap <= 0 || query === '') return true;
    let l = limiters.get(zone.id);
    if (l === undefined || l.cap !== cap) { l = Object.assign(new QueryVariantLimiter({ maxVariantsPerPath: cap, maxPaths: 10_000 }), { cap }); limiters.set(zone.id, l); }
    return l.admit(zone.id, hostPath, query);
  };
  const markPass = (key: string): void => {
    if (passMs <= 0) return;
    passUntil.delete(key);
    passUntil.set(key, deps.now() + passMs);
    if (passUntil.size > 10_000) passUntil.delete(passUntil.keys().next().value!); // oldest first
  };

  function checkRequest(ctx: RequestContext, conditional: Readonly<Record<string, string>>): CheckRequest {
    return { zone: ctx.zone!, url: ctx.req.url ?? '/', rawHeaders: [...ctx.req.rawHeaders], clientIp: ctx.clientIp, tls: ctx.tls, ray: ctx.ray, host: ctx.host, conditional };
  }

  /** The origin failed: serve the stale copy when stale-if-error or Always Online allow it. */
  function tryStale(ctx: RequestContext, stale: CachedEntry, plan: Plan, reason: string, fwdStatus?: number): boolean {
    const s = staleOnError(stale.meta, reqHeaders(ctx), deps.now(), plan.policy);
    if (!s.serve) return false;
    if (s.via === 'always-online' && !ctx.zone!.zone.cache.always_online) return false;
    serve(ctx, stale, deps.now(), 'STALE', plan, { hit: true, fwd: 'stale', ...(fwdStatus !== undefined ? { fwdStatus } : {}), detail: s.via },
      { 'rampart-always-online': s.via === 'always-online' ? 'served-stale' : 'stale-if-error', warning: '110 rampart "Response is Stale"' });
    ctx.matched.push(`cache:${reason}:stale`);
    return true;
  }

  /**
   * A cache rule's browser TTL on answers that come from the origin (a MISS): the client gets `max-age=N` instead of
   * the origin's Cache-Control (the cache itself stores and judges the origin's own headers).
   */
  function withBrowserTtl(t: OriginTap, plan: Plan): OriginTap {
    const ttl = plan.rules.browserTtl;
    if (ttl === undefined) return t;
    const inner = t.onHeaders.bind(t);
    return { ...t, onData: t.onData.bind(t), onComplete: t.onComplete.bind(t), onError: t.onError.bind(t), ...(t.fallback ? { fallback: t.fallback.bind(t) } : {}),
      onHeaders(status, headers) {
        const extra = inner(status, headers) ?? {};
        return status < 400 ? { ...extra, 'cache-control': `max-age=${ttl}` } : extra;
      } };
  }

  function tap(ctx: RequestContext, plan: Plan, stale: CachedEntry | undefined, label: string, release: () => void): OriginTap {
    const requestTime = deps.now();
    let writer: Promise<CacheWriter> | undefined;
    let chain: Promise<unknown> = Promise.resolve();
    let failed = false;
    let queued = 0;
    const zone = ctx.zone!;
    const fwd = label === 'EXPIRED' ? 'stale' : 'uri-miss';
    /**
     * The copy cannot be stored (past the store's entry limit, a store error, or too far behind): waiting requests go
     * to the origin now rather than after this whole body, and the key is hit-for-pass for a while (a body too large
     * to store would otherwise queue every wave of requests behind one download).
     */
    const giveUp = (): void => {
      if (failed) return;
      failed = true;
      markPass(plan.key);
      release();
    };
    return {
      onHeaders(status, headers): Record<string, string> {
        const st = isStorable({ method: ctx.req.method ?? 'GET', headers: reqHeaders(ctx) }, { status, headers }, plan.policy);
        // Like nginx and Cloudflare, store only what is fresh for some time (explicit or heuristic freshness): a
        // response stale from birth would only ever be revalidated, or served stale when the origin is down.
        if (!st.storable || freshnessLifetime({ status, headers, responseTime: deps.now() }, plan.policy).lifetime <= 0) {
          release(); // nothing will be stored: waiting requests go to the origin now, not after this whole body
          // a whole GET answered unstorable (HEAD and Range answers say nothing about the object's storability)
          if (ctx.req.method === 'GET' && ctx.req.headers.range === undefined) markPass(plan.key);
          return { [CACHE_STATUS]: label === 'EXPIRED' ? 'EXPIRED' : 'DYNAMIC', 'cache-status': formatCacheStatus({ fwd, fwdStatus: status }) };
        }
        const entry = buildEntry({
          url: { zone: zone.id, scheme: ctx.tls ? 'https' : 'http', host: ctx.host, path: plan.path, query: plan.query }, keyOptions: plan.keyOptions,
          requestHeaders: reqHeaders(ctx), status, responseHeaders: headers, requestTime, responseTime: deps.now(), strip: st.strip,
        });
        if (entry.key !== plan.key) { deps.onError(new Error(`cache key mismatch ${entry.key} vs ${plan.key}`)); return { [CACHE_STATUS]: 'DYNAMIC' }; }
        const q = plan.key.indexOf('?');
        if (!admitQuery(zone, entry.hostPath, q < 0 ? '' : plan.key.slice(q + 1))) {
          release(); // a cache-busting flood: served, not stored
          return { [CACHE_STATUS]: 'DYNAMIC', 'cache-status': formatCacheStatus({ fwd, fwdStatus: status, detail: 'query-variants' }) };
        }
        writer = deps.store.createWriter(entry);
        chain = writer;
        // from here the commit (or abort) releases coalesced waiters, not the end of the response
        ctx.notes.delete('cache.release');
        writer.catch(giveUp);
        return { [CACHE_STATUS]: label, 'cache-status': formatCacheStatus({ fwd, fwdStatus: status, stored: true }) };
      },
      onData(chunk) {
        if (writer === undefined || failed) return;
        queued += chunk.length;
        // the store fell too far behind the client: stop copying rather than hold the body in memory
        if (queued > maxQueued) { giveUp(); return; }
        chain = chain.then(async () => { if (!failed) await (await writer!).write(chunk); queued -= chunk.length; }).catch(giveUp);
      },
      onComplete() {
        if (writer === undefined) { release(); return; }
        chain.then(async () => {
          const w = await writer!;
          if (failed) await w.abort(); else { await w.commit(); passUntil.delete(plan.key); }
        }).catch((e: unknown) => deps.onError(e)).finally(release);
      },
      onError() {
        if (writer !== undefined) chain.then(async () => (await writer!).abort()).catch(() => {}).finally(release);
        else release();
      },
      fallback(reason) {
        if (stale === undefined) return false;
        const m = /^origin\.status_(\d+)$/.exec(reason);
        if (!tryStale(ctx, stale, plan, reason, m === null ? undefined : Number(m[1]))) return false;
        release();
        return true;
      },
    };
  }

  /** Serve the entry after a 304, or undefined when the object must be fetched again (changed, or no match). */
  async function revalidate(ctx: RequestContext, plan: Plan, hit: CachedEntry, conditional: Readonly<Record<string, string>>): Promise<Verdict | undefined> {
    const id = hit.meta.key + '\n' + hit.meta.variant;
    let c = checks.get(id);
    // A request that read the entry just before a revalidation finished may still hold the expired copy: a check
    // settled within the last second is reused while its result is fresh, rather than asking the origin again.
    const s = c?.settled;
    if (s !== undefined && !(s.r.status === 304 && s.merged !== undefined && timingOf({ ...hit.meta, headers: s.merged, requestTime: s.r.requestTime, responseTime: s.r.responseTime }, deps.now(), plan.policy).ttl > 0)) c = undefined;
    if (c === undefined) {
      const q = checkRequest(ctx, conditional);
      const mine: Check = {
        p: (async () => {
          const r = await origin.check(q);
          const merged = r.status === 304 ? await freshenEntry(deps.store, hit.meta, r.headers, r.requestTime, r.responseTime).catch(() => undefined) : undefined;
          return { r, merged };
        })(),
      };
      c = mine;
      checks.set(id, mine);
      mine.p.then((out) => {
        mine.settled = out;
        setTimeout(() => { if (checks.get(id) === mine) checks.delete(id); }, 1000).unref();
      }, () => { if (checks.get(id) === mine) checks.delete(id); });
    }
    let out: Awaited<Check['p']>;
    try { out = await c.p; } catch {
      return tryStale(ctx, hit, plan, 'origin.unreachable') ? { kind: 'served', reason: 'cache.stale_on_error' } : undefined;
    }
    if (ctx.res.destroyed || ctx.res.writableEnded) return { kind: 'drop', reason: 'client.closed' };
    const { r, merged } = out;
    if (r.status === 304 && merged !== undefined) {
      const meta = { ...hit.meta, headers: merged, requestTime: r.requestTime, responseTime: r.responseTime };
      const now = deps.now();
      return serve(ctx, { meta, body: hit.body }, now, 'REVALIDATED', plan, { fwd: 'stale', fwdStatus: 304, ttl: timingOf(meta, now, plan.policy).ttl });
    }
    if (r.status >= 500 && tryStale(ctx, hit, plan, `origin.status_${r.status}`, r.status)) return { kind: 'served', reason: 'cache.stale_on_error' };
    return undefined;
  }

  /** stale-while-revalidate: one background conditional request per entry; a changed object is dropped. */
  function refreshInBackground(ctx: RequestContext, hit: CachedEntry, conditional: Readonly<Record<string, string>>): void {
    const id = hit.meta.key + '\n' + hit.meta.variant;
    if (refreshing.has(id)) return;
    refreshing.add(id);
    const q = checkRequest(ctx, conditional);
    void (async () => {
      try {
        const r = await origin.check(q);
        if (r.status === 304) {
          if (await freshenEntry(deps.store, hit.meta, r.headers, r.requestTime, r.responseTime) === undefined) await deps.store.delete(hit.meta.key, hit.meta.variant);
        } else if (r.status < 500) {
          // changed: the next request fetches it through the origin phase (transforms applied, stored by the tap)
          await deps.store.delete(hit.meta.key, hit.meta.variant);
        }
      } catch { /* origin down: keep serving the stale copy within its window */ } finally { refreshing.delete(id); }
    })();
  }

  /** Memory hits answered synchronously (no promise, no microtask hop in the pipeline); undefined otherwise. */
  const lookupSync = (deps.store as CacheStore & { lookupSync?: (key: string, h: Headers) => CachedEntry | undefined }).lookupSync?.bind(deps.store);
  function hitSync(ctx: RequestContext, plan: Plan): Verdict | undefined {
    if (lookupSync === undefined) return undefined;
    const hit = lookupSync(plan.key, reqHeaders(ctx));
    if (hit === undefined) return undefined;
    const now = deps.now();
    const d = decide({ method: ctx.req.method ?? 'GET', headers: reqHeaders(ctx), stored: hit.meta, now, options: plan.policy });
    return d.kind === 'HIT' ? serve(ctx, hit, now, d.stale ? 'STALE' : 'HIT', plan, { hit: true, ttl: d.timing.ttl }) : undefined;
  }

  async function run(ctx: RequestContext, plan: Plan, coalesced: boolean): Promise<Verdict> {
    const now = deps.now();
    const key = plan.key;
    let hit: CachedEntry | undefined;
    try { hit = await lookupEntry(deps.store, key, reqHeaders(ctx)); } catch (e) { deps.onError(e); return CONTINUE; }
    const d = decide({ method: ctx.req.method ?? 'GET', headers: reqHeaders(ctx), stored: hit?.meta, now, options: plan.policy });
    if (d.kind === 'HIT' && hit !== undefined) return serve(ctx, hit, now, d.stale ? 'STALE' : 'HIT', plan, { hit: true, ttl: d.timing.ttl, ...(coalesced ? { collapsed: true } : {}) });
    if (d.kind === 'BYPASS') return CONTINUE;
    if (d.kind === 'UNAVAILABLE') return { kind: 'respond', status: 504, reason: 'cache.only_if_cached', headers: { [CACHE_STATUS]: 'MISS', 'cache-status': formatCacheStatus({ fwd: 'miss' }) } };
    if (d.kind === 'STALE' && hit !== undefined) {
      refreshInBackground(ctx, hit, d.conditional);
      return serve(ctx, hit, now, 'UPDATING', plan, { hit: true, ttl: d.timing.ttl, detail: 'updating' });
    }
    if (d.kind === 'REVALIDATE' && hit !== undefined) {
      const v = await revalidate(ctx, plan, hit, d.conditional);
      if (v !== undefined) return v;
    }
    // MISS, EXPIRED (stale copy kept for errors), or a revalidation that found the object changed
    const label = hit !== undefined ? 'EXPIRED' : 'MISS';
    const pass = passUntil.get(key);
    if (pass !== undefined) {
      if (pass > now) { ctx.notes.set(ORIGIN_TAP_NOTE, withBrowserTtl(tap(ctx, plan, hit, label, () => {}), plan)); return CONTINUE; }
      passUntil.delete(key);
    }
    const pending = inflight.get(key);
    if (pending !== undefined && !coalesced) {
      await Promise.race([pending, new Promise((r) => setTimeout(r, deps.coalesceTimeoutMs).unref())]);
      if (ctx.res.destroyed || ctx.res.writableEnded) return { kind: 'drop', reason: 'client.closed' }; // gone while waiting
      return run(ctx, plan, true);
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
    dropClientConditionals(ctx);
    ctx.notes.set(ORIGIN_TAP_NOTE, withBrowserTtl(tap(ctx, plan, hit, label, once), plan));
    ctx.notes.set('cache.release', once);
    return CONTINUE;
  }

  const bypassTap: OriginTap = {
    onHeaders: () => ({ [CACHE_STATUS]: 'BYPASS', 'cache-status': formatCacheStatus({ fwd: 'bypass' }) }),
    onData() {}, onComplete() {}, onError() {},
  };

  /** RFC 9111 §4.4: a successful unsafe request invalidates the stored responses of its URL (and Location / Content-Location). */
  function invalidationTap(ctx: RequestContext, keyOptions: readonly KeyOptions[]): OriginTap {
    return {
      onHeaders(status, headers) {
        const scheme = ctx.tls ? 'https' : 'http';
        const urls = invalidationTargets(ctx.req.method ?? 'POST', status, `${scheme}://${ctx.host}${ctx.req.url ?? '/'}`, headers);
        if (urls.length === 0) return undefined;
        const keys = new Set<string>();
        for (const u of urls) for (const o of keyOptions) { const k = keyForUrl(ctx.zone!.id, u, o); if (k !== undefined) keys.add(k); }
        deps.store.purge({ kind: 'keys', keys: [...keys] }).catch((e: unknown) => deps.onError(e));
        return undefined;
      },
      onData() {}, onComplete() {}, onError() {},
    };
  }

  return {
    name: 'cache',
    onRequest(ctx: RequestContext): Verdict | Promise<Verdict> {
      const m = ctx.req.method;
      const zone = ctx.zone!;
      if (!zone.zone.cache.enabled) return CONTINUE;
      const url = ctx.req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const query = q < 0 ? '' : url.slice(q + 1);
      const zr = rulesOf(zone);
      if (m !== 'GET' && m !== 'HEAD') {
        if (m === 'OPTIONS' || m === 'TRACE' || m === 'CONNECT') return CONTINUE;
        const r = evaluateCacheRules(zr, ctx, path);
        ctx.notes.set(ORIGIN_TAP_NOTE, invalidationTap(ctx, r.cacheKey !== undefined ? [{}, zr.keyOptions, toKeyOptions(r.cacheKey)] : [{}, zr.keyOptions]));
        return CONTINUE;
      }
      const rules = evaluateCacheRules(zr, ctx, path);
      if (rules.matched.length > 0) ctx.matched.push(...rules.matched.map((id) => `cache_rule:${id}`));
      if (rules.action === 'bypass') { ctx.notes.set(ORIGIN_TAP_NOTE, bypassTap); return CONTINUE; }
      const keyOptions = rules.cacheKey !== undefined ? toKeyOptions(rules.cacheKey) : zr.keyOptions;
      const c = zone.zone.cache;
      const everything = rules.action === 'cache_everything';
      const policy: PolicyOptions = {
        alwaysOnlineMaxStaleSeconds: c.always_online ? c.always_online_max_stale : 0,
        staleWhileRevalidateSeconds: c.stale_while_revalidate ?? 0,
        ...(rules.edgeTtl !== undefined ? { edgeTtlSeconds: rules.edgeTtl } : {}),
        // cache everything: no explicit freshness → the default edge TTL; Set-Cookie is stripped from the stored copy
        ...(everything ? { defaultTtlSeconds: CACHE_EVERYTHING_DEFAULT_TTL, setCookie: 'strip' as const } : {}),
      };
      const key = cacheKey({ zone: zone.id, scheme: ctx.tls ? 'https' : 'http', host: ctx.host, path, query }, keyOptions);
      const plan: Plan = { key, path, query, keyOptions, policy, rules };
      return hitSync(ctx, plan) ?? run(ctx, plan, false);
    },
    onLog(ctx: RequestContext): void {
      // whatever happened (client gone, error page), never leave coalesced requests waiting
      (ctx.notes.get('cache.release') as (() => void) | undefined)?.();
    },
  };
}
