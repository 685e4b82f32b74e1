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
    // forget what the store now holds, and names no zone serves any more (a deleted zone's certificate)
    for (const h of this.#issued.keys()) {
      if (s.certs.has(h) || lookupZone(s, h.startsWith('*.') ? 'x' + h.slice(1) : h) === undefined) this.#issued.delete(h);
    }
    for (const c of s.certs.values()) live.add(c.cert);
    for (const c of this.#issued.values()) live.add(c.cert);
    for (const k of this.#contexts.keys()) if (!live.has(k)) this.#contexts.delete(k);
  }

  readonly callback = (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void): void => {
    const host = normaliseHost(servername);
    const s = this.#snapshot();
    const pem = lookupCert(s, host) ?? this.#issued.get(host);
    if (pem !== undefined) { cb(null, this.#context(pem)); return; }
    if (!host || lookupZone(s, host) === undefined) { cb(null, this.#default); return; }
    // A name served through a wildcard alias shares one certificate for the wildcard: client-chosen names must
    // not each make the edge generate and store a certificate.
    const name = s.exact.has(host) ? host : wildcardFor(s, host) ?? host;
    const have = name === host ? undefined : lookupCert(s, name) ?? this.#issued.get(name);
    if (have !== undefined) { cb(null, this.#context(have)); return; }
    let p = this.#pending.get(name);
    if (p === undefined) {
      p = this.#source(name);
      this.#pending.set(name, p);
      void p.then((c) => { this.#issued.set(name, c); }, () => {}).finally(() => this.#pending.delete(name));
    }
    p.then((c) => cb(null, this.#context(c)), (e: unknown) => { this.#onError(host, e); cb(null, this.#default); });
  };
}

/** The wildcard alias ("*.shop.test") through which `host` is served, if any. */
function wildcardFor(s: EdgeSnapshot, host: string): string | undefined {
  let i = host.indexOf('.');
  while (i >= 0) {
    const suffix = host.slice(i);
    if (s.wildcard.has(suffix)) return '*' + suffix;
    i = host.indexOf('.', i + 1);
  }
  return undefined;
}
