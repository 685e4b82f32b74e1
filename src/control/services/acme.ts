/**
 * Automatic certificates through ACME (RFC 8555, `acme-client`): one account key per node stored as an
 * 'acme_account' doc; a zone's proxied hostnames are validated with DNS-01 through Rampart's own authoritative DNS
 * (temporary 'acme_dns01' docs that dnsZonesFrom serves as TXT `_acme-challenge.NAME`), and the issued
 * certificate is stored as 'cert' docs (source 'acme') for every name, which the edge serves by SNI.
 */
import { Agent } from 'node:https';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as acme from 'acme-client';
import type { ConfigDoc, ConfigStore } from '../../state/ports.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Router } from '../api/router.ts';
import { ApiError, API_CODES, notFound } from '../api/errors.ts';

export const ACME_ACCOUNT_KIND = 'acme_account';
export const ACME_DNS01_KIND = 'acme_dns01';
export const ACME_HTTP01_KIND = 'acme_http01';
export type AcmeChallengeType = 'dns-01' | 'http-01';
export const RENEW_BEFORE_MS = 30 * 86_400_000;

export interface AcmeDns01Data { name: string; content: string }
export interface StoredCert { cert: string; key: string; source: string; created_on?: string; expires_on?: string; names?: string[] }

/** Back-off after the n-th consecutive failure: 5 min, doubling, at most 24 h. */
export function retryDelayMs(n: number): number {
  return Math.min(5 * 60_000 * 2 ** Math.max(0, n - 1), 86_400_000);
}

function dns01Id(name: string, keyAuth: string): string {
  return createHash('sha256').update(name + '|' + keyAuth).digest('hex').slice(0, 32);
}

interface RecordLike { type: string; name: string; proxied?: boolean }

function fqdn(name: string, zone: string): string {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n === '@' || n === '') return zone;
  if (name.endsWith('.')) return n;
  if (n === zone || n.endsWith('.' + zone)) return n;
  return n + '.' + zone;
}

/** The names a zone's certificate covers: every proxied A/AAAA/CNAME owner (FQDN), apex included when proxied. */
export function certificateNames(zoneName: string, records: readonly RecordLike[]): string[] {
  const zone = zoneName.toLowerCase().replace(/\.$/, '');
  const out = new Set<string>();
  for (const r of records) {
    if ((r.type === 'A' || r.type === 'AAAA' || r.type === 'CNAME') && r.proxied === true) out.add(fqdn(r.name, zone));
  }
  return [...out].sort((a, b) => (a === zone ? -1 : b === zone ? 1 : a.localeCompare(b)));
}

/** Whether `names` need a (new) certificate at `now`: any name without an ACME cert, or one expiring within the window. */
export function needsRenewal(certs: ReadonlyMap<string, StoredCert | undefined>, names: readonly string[], now: number, before = RENEW_BEFORE_MS): boolean {
  for (const n of names) {
    const c = certs.get(n);
    if (!c || c.source !== 'acme' || !c.expires_on) return true;
    if (Date.parse(c.expires_on) - now < before) return true;
  }
  return false;
}

export interface AcmeOptions {
  store: ConfigStore;
  publish: () => Promise<void>;
  clock: Clock;
  directory: string;
  caBundle?: string | undefined;
  /** Challenge type: DNS-01 (default: Rampart is the zone's authoritative DNS) or HTTP-01 (the edge answers the token). */
  challenge?: AcmeChallengeType | undefined;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

/**
 * The challenge for a zone's order: the configured one (acme.challenge / RAMPART_ACME_CHALLENGE) when set;
 * otherwise DNS-01 when the zone is delegated to Rampart's nameservers (activation active, or a zone from before
 * onboarding / the config file), HTTP-01 while it is pending or moved (the registry does not send the CA to us
 * yet); a wildcard name always needs DNS-01.
 */
export function chooseChallenge(configured: AcmeChallengeType | undefined, activation: string | undefined, names: readonly string[]): AcmeChallengeType {
  if (names.some((n) => n.startsWith('*.'))) return 'dns-01';
  if (configured !== undefined) return configured;
  return activation === undefined || activation === 'active' ? 'dns-01' : 'http-01';
}

export interface IssueResult { zone: string; names: string[]; expires_on: string; challenge: AcmeChallengeType }

export class AcmeService {
  readonly #o: AcmeOptions;
  #timer: NodeJS.Timeout | undefined;
  readonly #running = new Map<string, Promise<IssueResult>>();
  /** Zones whose last automatic attempt failed: no new attempt before `until` (exponential back-off). */
  readonly #failures = new Map<string, { n: number; until: number }>();

  constructor(o: AcmeOptions) {
    this.#o = o;
    if (o.caBundle) acme.axios.defaults.httpsAgent = new Agent({ ca: readFileSync(o.caBundle) });
    acme.setLogger(() => {});
    // acme-client retries network errors 5 times, 5 s x attempt apart (75 s): one quick retry, the pass backs off itself
    const settings = (acme.axios.defaults as unknown as { acmeSettings?: { retryMaxAttempts: number; retryDefaultDelay: number } }).acmeSettings;
    if (settings) { settings.retryMaxAttempts = 1; settings.retryDefaultDelay = 1; }
  }

  async #accountKey(): Promise<string> {
    const have = await this.#o.store.get(ACME_ACCOUNT_KIND, 'default');
    if (have) return (have.data as { key: string }).key;
    const key = (await acme.crypto.createPrivateKey()).toString();
    await this.#o.store.apply([{ op: 'insert', doc: { kind: ACME_ACCOUNT_KIND, id: 'default', zoneId: null, name: null, data: { key, directory: this.#o.directory } } }]);
    return ((await this.#o.store.get(ACME_ACCOUNT_KIND, 'default'))!.data as { key: string }).key;
  }

  async #zone(ref: string): Promise<{ id: string; name: string }> {
    for (const d of await this.#o.store.list('zone')) {
      const z = d.data as { id: string; name: string };
      if (d.id === ref || z.id === ref || z.name === ref.toLowerCase()) return { id: z.id, name: z.name };
    }
    throw notFound(`zone "${ref}"`);
  }

  async #names(zone: { id: string; name: string }): Promise<string[]> {
    const recs = (await this.#o.store.list('dns_record')).filter((d: ConfigDoc) => d.zoneId === zone.id).map((d) => d.data as RecordLike);
    return certificateNames(zone.name, recs);
  }

  /** Certificates stored for a zone's names. */
  async list(ref: string): Promise<Array<{ hostname: string; source: string; expires_on: string | null }>> {
    const zone = await this.#zone(ref);
    const out: Array<{ hostname: string; source: string; expires_on: string | null }> = [];
    for (const n of await this.#names(zone)) {
      const d = await this.#o.store.get('cert', n);
      const c = d?.data as StoredCert | undefined;
      out.push({ hostname: n, source: c?.source ?? 'none', expires_on: c?.expires_on ?? null });
    }
    return out;
  }

  /** Obtain a certificate for every proxied name of the zone (one order, all names) and store it. */
  async issue(ref: string): Promise<IssueResult> {
    const zone = await this.#zone(ref);
    let p = this.#running.get(zone.id);
    if (!p) { p = this.#issue(zone).finally(() => this.#running.delete(zone.id)); this.#running.set(zone.id, p); }
    return p;
  }

  async #issue(zone: { id: string; name: string }): Promise<IssueResult> {
    const zdoc = await this.#o.store.get('zone', zone.id);
    const activation = (zdoc?.data as { activation?: { status?: string } } | undefined)?.activation?.status;
    const names = await this.#names(zone);
    if (names.length === 0) throw new ApiError(400, API_CODES.validation, `zone ${zone.name} has no proxied hostnames to certify (add a proxied A/AAAA/CNAME record)`);
    const client = new acme.Client({ directoryUrl: this.#o.directory, accountKey: await this.#accountKey() });
    const [key, csr] = await acme.crypto.createCsr({ commonName: names[0]!, altNames: names });
    const { store, publish } = this.#o;
    const type = chooseChallenge(this.#o.challenge, activation, names);
    const cert = await client.auto({
      csr, termsOfServiceAgreed: true, challengePriority: [type], skipChallengeVerification: true,
      challengeCreateFn: async (authz, ch, keyAuth) => {
        if (ch.type === 'http-01') {
          await store.apply([{ op: 'put', doc: { kind: ACME_HTTP01_KIND, id: ch.token, zoneId: null, name: null, data: { keyAuthorization: keyAuth, host: authz.identifier.value } } }]);
          await publish();
          return;
        }
        await store.apply([{ op: 'put', doc: { kind: ACME_DNS01_KIND, id: dns01Id(authz.identifier.value, keyAuth), zoneId: zone.id, name: null, data: { name: `_acme-challenge.${authz.identifier.value}`, content: keyAuth } satisfies AcmeDns01Data } }]);
        await publish();
      },
      challengeRemoveFn: async (authz, ch, keyAuth) => {
        if (ch.type === 'http-01') { await store.apply([{ op: 'delete', kind: ACME_HTTP01_KIND, id: ch.token }]); await publish(); return; }
        await store.apply([{ op: 'delete', kind: ACME_DNS01_KIND, id: dns01Id(authz.identifier.value, keyAuth) }]);
        await publish();
      },
    });
    const info = acme.crypto.readCertificateInfo(cert);
    const expires = info.notAfter.toISOString();
    const now = new Date(this.#o.clock.now()).toISOString();
    const data: StoredCert = { cert, key: key.toString(), source: 'acme', created_on: now, expires_on: expires, names };
    await store.apply(names.map((n) => ({ op: 'put' as const, doc: { kind: 'cert', id: n, zoneId: zone.id, name: null, data } })));
    await publish();
    this.#o.log?.('ACME certificate issued', { zone: zone.name, names, expires_on: expires });
    return { zone: zone.name, names, expires_on: expires, challenge: type };
  }

  /**
   * One pass: every zone whose proxied names lack an ACME certificate or expire within 30 days gets one; a zone
   * that failed waits 5 min, doubling per failure up to 24 h.
   */
  /**
   * Remove ACME certificates of names no zone proxies any more (a record deleted or unproxied, a zone removed):
   * a certificate is not served for a name Rampart no longer answers for. Returns the names removed.
   */
  async cleanup(): Promise<string[]> {
    const wanted = new Set<string>();
    for (const d of await this.#o.store.list('zone')) for (const n of await this.#names(d.data as { id: string; name: string })) wanted.add(n);
    const stale = (await this.#o.store.list('cert')).filter((d) => (d.data as { source?: string }).source === 'acme' && !wanted.has(d.id));
    if (stale.length === 0) return [];
    await this.#o.store.apply(stale.map((d) => ({ op: 'delete' as const, kind: 'cert', id: d.id })));
    await this.#o.publish();
    this.#o.log?.('ACME certificates removed for names no longer proxied', { names: stale.map((d) => d.id) });
    return stale.map((d) => d.id);
  }

  async renewDue(): Promise<void> {
    await this.cleanup().catch((e: Error) => this.#o.log?.('ACME cleanup failed', { err: e.message }));
    for (const d of await this.#o.store.list('zone')) {
      const z = d.data as { id: string; name: string };
      const names = await this.#names(z);
      if (names.length === 0) continue;
      const certs = new Map<string, StoredCert | undefined>();
      for (const n of names) certs.set(n, (await this.#o.store.get('cert', n))?.data as StoredCert | undefined);
      if (!needsRenewal(certs, names, this.#o.clock.now())) continue;
      const f = this.#failures.get(z.id);
      if (f && f.until > this.#o.clock.now()) continue;
      try {
        await this.issue(z.id);
        this.#failures.delete(z.id);
      } catch (e) {
        const n = (f?.n ?? 0) + 1;
        this.#failures.set(z.id, { n, until: this.#o.clock.now() + retryDelayMs(n) });
        this.#o.log?.('ACME issuance failed', { zone: z.name, err: (e as Error).message, attempt: n, retry_in_s: retryDelayMs(n) / 1000 });
      }
    }
  }

  /** Run renewDue every `everyMs` (unref'd): new proxied names get a certificate within that time. */
  start(everyMs = 30_000): void {
    let busy = false;
    this.#timer ??= setInterval(() => {
      if (busy) return;
      busy = true;
      this.renewDue().catch((e: Error) => this.#o.log?.('ACME renewal pass failed', { err: e.message })).finally(() => { busy = false; });
    }, everyMs);
    this.#timer.unref();
  }

  close(): void { if (this.#timer) clearInterval(this.#timer); this.#timer = undefined; }
}

/**
 * POST /client/v4/zones/:id/ssl/renew (operator only): issue or renew the zone's certificate now.
 * GET /client/v4/zones/:id/ssl/certificates (operator only): the zone's names and what is stored for them.
 */
export function registerAcmeRoutes(r: Router, acmeFor: () => AcmeService | undefined): void {
  const need = (): AcmeService => {
    const a = acmeFor();
    if (!a) throw new ApiError(400, API_CODES.validation, 'ACME is not configured: set RAMPART_ACME_DIRECTORY (and RAMPART_ACME_CA_BUNDLE for a private CA)');
    return a;
  };
  r.add({ method: 'POST', path: '/client/v4/zones/:id/ssl/renew', auth: 'token', summary: 'Obtain or renew the zone\'s certificate through ACME now',
    handler: async (q) => {
      const a = need();
      try { return { kind: 'json', result: await a.issue(q.params['id']!) }; }
      catch (e) { if (e instanceof ApiError) throw e; throw new ApiError(502, API_CODES.validation, `ACME issuance failed: ${(e as Error).message}`); }
    } });
  r.add({ method: 'GET', path: '/client/v4/zones/:id/ssl/certificates', auth: 'token', summary: 'The zone\'s certified names, the source and expiry of each stored certificate',
    handler: async (q) => ({ kind: 'json', result: await need().list(q.params['id']!) }) });
}
