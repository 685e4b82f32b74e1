/**
 * The PostgreSQL schema, applied as numbered migrations recorded in `schema_migrations`. The whole run happens in
 * one transaction under `pg_advisory_xact_lock`, so two nodes starting together apply each migration once; DDL is
 * transactional in PostgreSQL, so a failed migration leaves nothing behind.
 */
import type { PgDatabase } from './database.ts';

/** Advisory lock keys (two-int form): (RAMPART_LOCK, n). */
export const RAMPART_LOCK = 0x52414d50; // 'RAMP'
export const MIGRATION_LOCK = 1;
export const AUDIT_LOCK = 2;
/** First key of the per-zone analytics locks (the second is a hash of the zone id). */
export const ANALYTICS_LOCK_CLASS = RAMPART_LOCK + 3;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'config',
    sql: `
      CREATE TABLE config_docs (
        kind text NOT NULL,
        id text NOT NULL,
        zone_id text,
        name text,
        data text NOT NULL,           -- JSON exactly as written (key order kept; jsonb would reorder)
        modified_on text NOT NULL,    -- ISO 8601
        seq bigserial NOT NULL,       -- insertion order; an update keeps it
        PRIMARY KEY (kind, id)
      );
      CREATE UNIQUE INDEX config_docs_name ON config_docs (kind, name) WHERE name IS NOT NULL;
      CREATE INDEX config_docs_zone ON config_docs (zone_id) WHERE zone_id IS NOT NULL;
      CREATE INDEX config_docs_seq ON config_docs (seq);
      CREATE TABLE config_meta (key text PRIMARY KEY, value bigint NOT NULL);
      INSERT INTO config_meta (key, value) VALUES ('version', 0);`,
  },
  {
    version: 2,
    name: 'audit_log',
    sql: `
      CREATE TABLE audit_log (
        seq bigint PRIMARY KEY,
        time text NOT NULL,
        actor text NOT NULL,
        method text NOT NULL,
        path text NOT NULL,
        zone text,
        status integer NOT NULL,
        detail text NOT NULL,
        prev text NOT NULL,
        hash text NOT NULL UNIQUE
      );
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege'; END $$;
      CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();`,
  },
  {
    version: 3,
    name: 'security_events',
    sql: `
      CREATE TABLE security_events (
        id bigserial PRIMARY KEY,
        ray text NOT NULL,
        zone_id text NOT NULL,
        time bigint NOT NULL,         -- ms since the epoch
        client_ip text NOT NULL,
        method text NOT NULL,
        host text NOT NULL,
        path text NOT NULL,
        query text NOT NULL,
        user_agent text NOT NULL,
        action text NOT NULL,
        source text NOT NULL,
        rule_id text,
        reason text NOT NULL,
        status integer NOT NULL,
        details text NOT NULL
      );
      CREATE INDEX security_events_zone_time ON security_events (zone_id, time);
      CREATE INDEX security_events_ray ON security_events (ray);`,
  },
  {
    version: 4,
    name: 'analytics_rows',
    sql: `
      CREATE TABLE analytics_rows (
        zone_id text NOT NULL,
        resolution text NOT NULL,     -- 'minute' | 'hour'
        bucket bigint NOT NULL,       -- ms since the epoch
        requests double precision NOT NULL,
        bytes double precision NOT NULL,
        cached_requests double precision NOT NULL,
        cached_bytes double precision NOT NULL,
        pageviews double precision NOT NULL,
        s1xx double precision NOT NULL,
        s2xx double precision NOT NULL,
        s3xx double precision NOT NULL,
        s4xx double precision NOT NULL,
        s5xx double precision NOT NULL,
        threats text NOT NULL,        -- JSON
        uniques text NOT NULL,        -- encoded HyperLogLog registers
        top text NOT NULL,            -- JSON top-K sketches
        PRIMARY KEY (zone_id, resolution, bucket)
      );
      CREATE INDEX analytics_rows_age ON analytics_rows (resolution, bucket);`,
  },
  // --- issue 9: abuse reports (src/state/postgres/abuse-report-store.ts)
  {
    version: 5,
    name: 'abuse_reports',
    sql: `
      CREATE TABLE abuse_reports (
        seq bigserial PRIMARY KEY,
        ticket text NOT NULL UNIQUE,
        zone_id text NOT NULL,
        status text NOT NULL,
        category text NOT NULL,
        created bigint NOT NULL,      -- ms since the epoch
        forwarded_at bigint,          -- first successful forwarding (ms), or NULL
        data text NOT NULL            -- the report as JSON
      );
      CREATE INDEX abuse_reports_created ON abuse_reports (created);
      CREATE INDEX abuse_reports_zone ON abuse_reports (zone_id, created);
      CREATE INDEX abuse_reports_forwarded ON abuse_reports (forwarded_at) WHERE forwarded_at IS NOT NULL;`,
  },
  // ---
];

/** Applies the missing migrations; returns the versions applied by this call (empty when up to date). */
export async function migrate(db: PgDatabase, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1, $2)', [RAMPART_LOCK, MIGRATION_LOCK]);
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_on timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await c.query(m.sql);
      await c.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
