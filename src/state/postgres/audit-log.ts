/**
 * The audit log on PostgreSQL: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE), one row per entry.
 * `append` takes a transaction-level advisory lock, reads the head, seals the entry onto the chain and inserts it,
 * all in one transaction: appends from every node serialise into one chain, and a crash leaves the old chain or
 * the new one, never a broken link (the `seq` primary key and unique `hash` back this up).
 */
import type { AuditEntry, AuditLog } from '../ports.ts';
import { seal } from '../../control/services/audit.ts';
import type { PgDatabase } from './database.ts';
import { AUDIT_LOCK, RAMPART_LOCK } from './migrate.ts';

interface Row { seq: string; time: string; actor: string; method: string; path: string; zone: string | null; status: number; detail: string; prev: string; hash: string }

function toEntry(r: Row): AuditEntry {
  return { seq: Number(r.seq), time: r.time, actor: r.actor, method: r.method, path: r.path, zone: r.zone, status: Number(r.status), detail: JSON.parse(r.detail) as unknown, prev: r.prev, hash: r.hash };
}

export interface PostgresAuditLogOptions {
  db: PgDatabase;
  /** Close `db` in close() (default false). */
  ownsDb?: boolean;
}

export class PostgresAuditLog implements AuditLog {
  readonly #db: PgDatabase;
  readonly #ownsDb: boolean;

  constructor(opts: PostgresAuditLogOptions) {
    this.#db = opts.db;
    this.#ownsDb = opts.ownsDb ?? false;
  }

  async append(e: Omit<AuditEntry, 'seq' | 'prev' | 'hash'>): Promise<AuditEntry> {
    // JSON round trip first, so the hash is over exactly what is stored and read back.
    const detail = JSON.parse(JSON.stringify(e.detail ?? null)) as unknown;
    return this.#db.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [RAMPART_LOCK, AUDIT_LOCK]);
      const head = await c.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
      const last = head.rows[0];
      const entry = seal({ ...e, detail }, last ? { seq: Number(last.seq), hash: last.hash } : undefined);
      await c.query('INSERT INTO audit_log (seq, time, actor, method, path, zone, status, detail, prev, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
        [entry.seq, entry.time, entry.actor, entry.method, entry.path, entry.zone, entry.status, JSON.stringify(entry.detail), entry.prev, entry.hash]);
      return entry;
    });
  }

  async list(afterSeq = 0, limit = 1000): Promise<AuditEntry[]> {
    const rows = await this.#db.query<Row>('SELECT seq, time, actor, method, path, zone, status, detail, prev, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, Math.max(0, Math.floor(limit))]);
    return rows.map(toEntry);
  }

  async count(): Promise<number> {
    const rows = await this.#db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log');
    return Number(rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    if (this.#ownsDb) await this.#db.close();
  }
}
