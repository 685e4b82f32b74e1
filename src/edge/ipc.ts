/** Messages between the node's primary (control) and its edge workers over the cluster IPC channel. */
import type { ConfigDoc } from '../state/ports.ts';
import type { Limits } from '../config/schema.ts';
import type { PemPair } from './tls/self-signed.ts';
import type { PurgeSelector } from '../state/cache-store.ts';
import type { StateSpec } from '../state/state-spec.ts';
import type { AbuseFromWorker, AbuseToWorker } from './abuse/ipc.ts';

export interface WorkerInit {
  readonly http: { host: string; port: number } | undefined;
  readonly https: { host: string; port: number; optional?: boolean } | undefined;
  readonly limits: Limits;
  readonly accessLog: string;
  readonly logLevel: string;
  readonly nodeId: string;
  readonly defaultCert: PemPair;
  /** The cache tiers (server.cache): memory bytes, and the disk folder and bytes of this worker's slot. */
  readonly cache?: { readonly cacheDir?: string; readonly cacheMemoryBytes?: number; readonly cacheDiskBytes?: number };
  /** Where counters and short-lived keys live: per process, a SQLite file shared by the node's workers, or Redis. */
  readonly state: StateSpec;
  /** Where security events go: the node's SQLite file, or the fleet's PostgreSQL. */
  readonly events: { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };
  /** SQLite file of the analytics rows (used when `events` is SQLite; with PostgreSQL they go there). */
  readonly analyticsPath: string;
}

export type ToWorker =
  | { readonly t: 'init'; readonly init: WorkerInit }
  | { readonly t: 'snapshot'; readonly version: number; readonly docs: ConfigDoc[] }
  | { readonly t: 'health'; readonly zoneId: string; readonly originKey: string; readonly up: boolean }
  | { readonly t: 'cert'; readonly id: number; readonly pem?: PemPair; readonly error?: string }
  | { readonly t: 'purge'; readonly id: number; readonly selector: PurgeSelector }
  | { readonly t: 'shutdown' }
  | AbuseToWorker;

export type FromWorker =
  | { readonly t: 'ready'; readonly httpPort?: number; readonly httpsPort?: number }
  | { readonly t: 'applied'; readonly version: number; readonly buildMs: number }
  | { readonly t: 'cert'; readonly id: number; readonly host: string }
  | { readonly t: 'purged'; readonly id: number; readonly removed: number; readonly error?: string }
  | AbuseFromWorker;
