/**
 * Verified bots by forward-confirmed reverse DNS (FCrDNS): the PTR name of the client IP must lie in one of the
 * crawler domains AND that name's A (IPv4) or AAAA (IPv6) records must contain the IP. A PTR alone proves
 * nothing (whoever owns the address writes it); the forward lookup proves the domain's owner vouches for it.
 *
 * Results are cached per IP in this process (bounded) and in the shared KeyValueStore (`bot:IP` = 1 or 0), so a
 * fleet looks each address up once: positive 24 h, negative 1 h, and a lookup that failed (timeout, SERVFAIL)
 * 5 min. Concurrent requests from one IP share one lookup. A lookup is bounded by `timeoutMs` (1.5 s): the
 * first request of an unknown crawler address waits for it at most that long and is decided by its result (a
 * timeout means not verified, cached briefly). Store errors fail open to "not verified" (no shared cache), never
 * to an error.
 */
import { Resolver } from 'node:dns/promises';
import { isIPv4, isIPv6 } from 'node:net';
import type { Clock } from '../../lib/clock.ts';
import type { KeyValueStore } from '../../state/ports.ts';
import { DEFAULT_CRAWLER_DOMAINS, inCrawlerDomains, normaliseName } from './crawler-ua.ts';

/** The part of `node:dns/promises` Resolver used (a test can pass its own). */
export interface BotResolver {
  reverse(ip: string): Promise<string[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  cancel?(): void;
}

export type BotLookupResult = 'verified' | 'not_verified' | 'no_ptr' | 'ptr_outside_domains' | 'forward_mismatch' | 'dns_error' | 'timeout';

export interface BotVerifierOptions {
  kv: KeyValueStore;
  clock: Clock;
  resolver: BotResolver;
  /** Crawler domains (default `DEFAULT_CRAWLER_DOMAINS`). */
  domains?: readonly string[];
  /** Longest a lookup may take (default 1500 ms). */
  timeoutMs?: number;
  positiveTtlMs?: number;
  negativeTtlMs?: number;
  /** TTL of a result after a DNS error or timeout (default 5 min). */
  errorTtlMs?: number;
  /** Most IPs kept in the process cache (default 10,000). */
  maxCached?: number;
  keyPrefix?: string;
  /** Every lookup's outcome (for a metric). */
  onLookup?: (result: BotLookupResult, ms: number) => void;
  /** Shared store errors (fail-open). */
  onStoreError?: (err: unknown) => void;
}

/** A `node:dns` resolver on `servers` (`host:port`, `[v6]:port` or `host`), one try, bounded by `timeoutMs`. */
export function createBotResolver(servers: readonly string[] | undefined, timeoutMs = 1500): BotResolver {
  const r = new Resolver({ timeout: Math.max(100, Math.floor(timeoutMs / 2)), tries: 1 });
  if (servers !== undefined && servers.length > 0) r.setServers([...servers]);
  return r;
}

/** `RAMPART_BOT_RESOLVER=host:port[,host:port]` → servers; unset → the system's resolvers. */
export function botResolverFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const v = env['RAMPART_BOT_RESOLVER'];
  if (v === undefined || v.trim() === '') return undefined;
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** `RAMPART_BOT_DOMAINS=a.com,b.net` replaces the default crawler domains. */
export function botDomainsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const v = env['RAMPART_BOT_DOMAINS'];
  if (v === undefined || v.trim() === '') return undefined;
  return v.split(',').map((s) => normaliseName(s.trim())).filter(Boolean);
}

interface Cached { readonly verified: boolean; readonly until: number }

const TIMEOUT = Symbol('timeout');

export class BotVerifier {
  readonly #o: Required<Omit<BotVerifierOptions, 'onLookup' | 'onStoreError'>> & Pick<BotVerifierOptions, 'onLookup' | 'onStoreError'>;
  readonly #cache = new Map<string, Cached>();
  readonly #inflight = new Map<string, Promise<boolean>>();

  constructor(o: BotVerifierOptions) {
    this.#o = {
      domains: (o.domains ?? DEFAULT_CRAWLER_DOMAINS).map(normaliseName), timeoutMs: 1500, positiveTtlMs: 24 * 3_600_000,
      negativeTtlMs: 3_600_000, errorTtlMs: 5 * 60_000, maxCached: 10_000, keyPrefix: 'bot:', ...o,
    };
  }

  /** The cached answer for `ip` in this process, or undefined when it must be looked up (`verify`). */
  cached(ip: string): boolean | undefined {
    const c = this.#cache.get(ip);
    if (c === undefined) return undefined;
    if (c.until <= this.#o.clock.now()) { this.#cache.delete(ip); return undefined; }
    return c.verified;
  }

  /** Whether `ip` is a verified crawler: process cache, then the shared store, then FCrDNS. Never rejects. */
  verify(ip: string): Promise<boolean> {
    const c = this.cached(ip);
    if (c !== undefined) return Promise.resolve(c);
    let p = this.#inflight.get(ip);
    if (p === undefined) {
      p = this.#verifyUncached(ip).finally(() => this.#inflight.delete(ip));
      this.#inflight.set(ip, p);
    }
    return p;
  }

  async #verifyUncached(ip: string): Promise<boolean> {
    const key = this.#o.keyPrefix + ip;
    try {
      const [v, ttl] = await Promise.all([this.#o.kv.get(key), this.#o.kv.ttl(key)]);
      if (v === '1' || v === '0') {
        this.#remember(ip, v === '1', ttl === undefined || ttl === Infinity ? this.#o.negativeTtlMs : ttl);
        return v === '1';
      }
    } catch (err) { this.#o.onStoreError?.(err); }
    const started = this.#o.clock.now();
    const result = await this.lookup(ip);
    this.#o.onLookup?.(result, this.#o.clock.now() - started);
    const verified = result === 'verified';
    const ttl = verified ? this.#o.positiveTtlMs : result === 'dns_error' || result === 'timeout' ? this.#o.errorTtlMs : this.#o.negativeTtlMs;
    this.#remember(ip, verified, ttl);
    try { await this.#o.kv.set(key, verified ? '1' : '0', ttl); } catch (err) { this.#o.onStoreError?.(err); }
    return verified;
  }

  /** One FCrDNS check, bounded by timeoutMs; no caching. */
  async lookup(ip: string): Promise<BotLookupResult> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMEOUT>((r) => { timer = setTimeout(() => r(TIMEOUT), this.#o.timeoutMs); });
    try {
      const r = await Promise.race([this.#fcrdns(ip), deadline]);
      return r === TIMEOUT ? 'timeout' : r;
    } finally { clearTimeout(timer); }
  }

  async #fcrdns(ip: string): Promise<BotLookupResult> {
    const v4 = isIPv4(ip);
    if (!v4 && !isIPv6(ip)) return 'not_verified';
    let names: string[];
    try { names = await this.#o.resolver.reverse(ip); } catch (err) { return notFound(err) ? 'no_ptr' : 'dns_error'; }
    const candidates = names.map(normaliseName).filter((n) => inCrawlerDomains(n, this.#o.domains)).slice(0, 3);
    if (candidates.length === 0) return names.length === 0 ? 'no_ptr' : 'ptr_outside_domains';
    const want = v4 ? ip : canonicalV6(ip);
    let error = false;
    for (const name of candidates) {
      try {
        const addrs = v4 ? await this.#o.resolver.resolve4(name) : await this.#o.resolver.resolve6(name);
        if (addrs.some((a) => (v4 ? a : canonicalV6(a)) === want)) return 'verified';
      } catch (err) { if (!notFound(err)) error = true; }
    }
    return error ? 'dns_error' : 'forward_mismatch';
  }

  #remember(ip: string, verified: boolean, ttlMs: number): void {
    if (this.#cache.size >= this.#o.maxCached) {
      const oldest = this.#cache.keys().next();
      if (oldest.done !== true) this.#cache.delete(oldest.value);
    }
    this.#cache.set(ip, { verified, until: this.#o.clock.now() + ttlMs });
  }
}

function notFound(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOTFOUND' || code === 'ENODATA' || code === 'NXDOMAIN';
}

/** IPv6 in one spelling (full, lower case) for comparison. */
function canonicalV6(ip: string): string {
  const [head = '', tail] = ip.toLowerCase().split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : new Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0');
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0')).join(':');
}
