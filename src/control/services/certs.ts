/**
 * Certificates held in the config store (kind "cert", id = hostname): a zone without one gets a self-signed
 * certificate generated and stored on first use, so every worker and restart serves the same one.
 */
import type { ConfigStore } from '../../state/ports.ts';

export interface PemPair { cert: string; key: string }

export class CertService {
  readonly #store: ConfigStore;
  readonly #publish: () => Promise<void>;
  readonly #generate: (hosts: string[]) => Promise<PemPair>;
  readonly #pending = new Map<string, Promise<PemPair>>();

  constructor(store: ConfigStore, publish: () => Promise<void>, generate: (hosts: string[]) => Promise<PemPair>) {
    this.#store = store;
    this.#publish = publish;
    this.#generate = generate;
  }

  /** The stored certificate for `host`, generating and storing a self-signed one when there is none. */
  ensure(host: string, kind = 'cert', zoneId: string | null = null): Promise<PemPair> {
    const k = kind + '|' + host;
    let p = this.#pending.get(k);
    if (p === undefined) {
      p = this.#ensure(host, kind, zoneId).finally(() => this.#pending.delete(k));
      this.#pending.set(k, p);
    }
    return p;
  }

  async #ensure(host: string, kind: string, zoneId: string | null): Promise<PemPair> {
    const have = await this.#store.get(kind, host);
    if (have) return have.data as PemPair;
    const pem = await this.#generate([host]);
    await this.#store.apply([{ op: 'insert', doc: { kind, id: host, zoneId, name: null, data: { ...pem, source: 'self-signed', created_on: new Date().toISOString() } } }]);
    const stored = await this.#store.get(kind, host);
    if (kind === 'cert') await this.#publish();
    return (stored?.data as PemPair | undefined) ?? pem;
  }
}
