/**
 * PostgreSQL adapters for fleet mode: the config store, the audit log, the security events and the analytics rows, sharing
 * one pool.
 *
 * Schema (migrate.ts, numbered migrations in `schema_migrations`, applied in one transaction under
 * `pg_advisory_xact_lock(0x52414d50, 1)` so nodes starting together do not race):
 *   config_docs (kind, id, zone_id, name, data text = JSON as written, modified_on, seq bigserial = insertion order;
 *                PK (kind, id), UNIQUE (kind, name) WHERE name IS NOT NULL)
 *   config_meta ('version' → bigint)
 *   audit_log (seq PK, time, actor, method, path, zone, status, detail JSON text, prev, hash UNIQUE; a trigger refuses
 *              UPDATE, DELETE and TRUNCATE; appends serialise on pg_advisory_xact_lock(0x52414d50, 2))
 *   security_events (id bigserial, ray, zone_id, time ms, …, details JSON text; indexes (zone_id, time) and (ray))
 *   analytics_rows (PK (zone_id, resolution, bucket), counters, threats/top JSON, uniques HLL; writers merge under
 *                   pg_advisory_xact_lock(0x52414d50 + 3, fnv1a(zone_id)) per zone)
 *
 * NOTIFY: every committed `apply` sends `NOTIFY rampart_config, '<version>'` from inside its transaction (delivered on
 * commit only). `watchConfig` LISTENs on a dedicated connection, reconnects forever (100 ms doubling to 2 s) and
 * calls `onReconnect` after LISTENing again, since notifications sent while it was away are lost.
 *
 * Failure mode: fail-closed for writes, no stale cache here. When the server is unreachable every store call
 * rejects within `connectionTimeoutMillis` (default 2 s) with StoreUnavailableError (code `config.unavailable`,
 * status 503, retryable; the message never contains a password). The edge keeps serving its last snapshot (its
 * caller's choice); the same instances work again once the server is back (the pool opens new connections).
 * A commit whose answer is lost is reported as unavailable: the caller cannot know whether it happened.
 */
import { PgDatabase } from './database.ts';
import type { PgDatabaseOptions } from './database.ts';
import { migrate } from './migrate.ts';
import { PostgresConfigStore } from './config-store.ts';
import { PostgresAuditLog } from './audit-log.ts';
import { PostgresSecurityEventStore } from './security-events.ts';
import { PostgresAnalyticsStore } from './analytics-store.ts';

export { PgDatabase } from './database.ts';
export type { PgDatabaseOptions, Isolation } from './database.ts';
export { migrate, MIGRATIONS } from './migrate.ts';
export type { Migration } from './migrate.ts';
export { PostgresConfigStore, CONFIG_CHANNEL } from './config-store.ts';
export type { PostgresConfigStoreOptions } from './config-store.ts';
export { PostgresAuditLog } from './audit-log.ts';
export type { PostgresAuditLogOptions } from './audit-log.ts';
export { PostgresSecurityEventStore } from './security-events.ts';
export type { PostgresSecurityEventStoreOptions } from './security-events.ts';
export { PostgresAnalyticsStore } from './analytics-store.ts';
export type { PostgresAnalyticsStoreOptions } from './analytics-store.ts';
export { watchConfig } from './config-watcher.ts';
export type { WatchConfigOptions, ConfigWatch } from './config-watcher.ts';
export { StoreUnavailableError, isUnavailable, toStoreError, redactUrl } from './errors.ts';

export interface PostgresStoresOptions extends PgDatabaseOptions {
  /** The clock for config documents' `modifiedOn`. */
  now?: () => Date;
}

export interface PostgresStores {
  readonly config: PostgresConfigStore;
  readonly audit: PostgresAuditLog;
  readonly events: PostgresSecurityEventStore;
  readonly analytics: PostgresAnalyticsStore;
  /** The shared pool (for a health check or a custom query). */
  readonly db: PgDatabase;
  /** Closes the shared pool (the stores' own close() leave it open). */
  close(): Promise<void>;
}

/**
 * Opens one pool, runs the migrations once and builds the four stores on it. Rejects with StoreUnavailableError
 * when the server cannot be reached (the caller may retry); the pool is closed then.
 */
export async function createPostgresStores(opts: PostgresStoresOptions): Promise<PostgresStores> {
  const db = new PgDatabase(opts);
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return {
    config: new PostgresConfigStore({ db, ...(opts.now ? { now: opts.now } : {}) }),
    audit: new PostgresAuditLog({ db }),
    events: new PostgresSecurityEventStore({ db }),
    analytics: new PostgresAnalyticsStore({ db }),
    db,
    close: () => db.close(),
  };
}
