/**
 * SNI certificate choice: the zone's own certificate (configured, ACME or stored self-signed) for the name the
 * client asked for; a zone without one gets a self-signed certificate generated and stored at first use; an
 * unknown name gets the edge's default certificate. Secure contexts are cached per certificate.
 */
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { lookupCert, lookupZone, normaliseHost } from '../../config/snapshot.ts';
import type { EdgeSnapshot } from '../../config/snapshot.ts';
import type { PemPair } from './self-signed.ts';

/** Returns the stored certificate for a hostname, generating and storing a self-signed one when there is none. */
export type CertSource = (hostname: string) => Promise<PemPair>;

export class SniResolver {
  readonly #contexts = new Map<string, SecureContext>();
  readonly #issued = new Map<string, PemPair>();
  readonly #pending = new Map<string, Promise<PemPair>>();
  readonly #source: CertSource;
  readonly #default: SecureContext;
  readonly #snapshot: () => EdgeSnapshot;
  readonly #onError: (host: string, err: unknown) => void;

  constructor(defaultCert: PemPair, source: CertSource, snapshot: () => EdgeSnapshot, onError: (host: string, err: unknown) => void) {
    this.#default = createSecureContext(defaultCert);
    this.#source = source;
    this.#snapshot = snapshot;
    this.#onError = onError;
  }

  get defaultContext(): SecureContext { return this.#default; }

  #context(pem: PemPair): SecureContext {
    let c = this.#contexts.get(pem.cert);
    if (c === undefined) {
      if (this.#contexts.size > 20_000) this.#contexts.clear();
      c = createSecureContext(pem);
      this.#contexts.set(pem.cert, c);
    }
    return c;
  }

  /** Forget contexts of certificates no longer in the snapshot (call after a swap). */
  onSnapshot(s: EdgeSnapshot): void {
    const live = new Set<string>();
    for (const c of s.certs.values()) live.add(c.cert);
    for (const c of this.#issued.values()) live.add(c.cert);
    for (const k of this.#contexts.keys()) if (!live.has(k)) this.#contexts.delete(k);
    for (const h of this.#issued.keys()) if (s.certs.has(h)) this.#issued.delete(h);
  }

  readonly callback = (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void): void => {
    const host = normaliseHost(servername);
    const s = this.#snapshot();
    const pem = lookupCert(s, host) ?? this.#issued.get(host);
    if (pem !== undefined) { cb(null, this.#context(pem)); return; }
    if (!host || lookupZone(s, host) === undefined) { cb(null, this.#default); return; }
    let p = this.#pending.get(host);
    if (p === undefined) {
      p = this.#source(host);
      this.#pending.set(host, p);
      void p.then((c) => { this.#issued.set(host, c); }, () => {}).finally(() => this.#pending.delete(host));
    }
    p.then((c) => cb(null, this.#context(c)), (e: unknown) => { this.#onError(host, e); cb(null, this.#default); });
  };
}
