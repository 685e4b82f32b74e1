/**
 * The audit log on SQLite (data dir `audit.db`): append-only, one row per entry with its canonical fields, seq,
 * prev and hash. Each append reads the head and inserts in one IMMEDIATE transaction (synchronous=FULL), so a
 * crash mid-append leaves either the old chain or the new one, never a broken link; several processes serialise
 * on SQLite's write lock. Triggers refuse UPDATE and DELETE.
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEntry, AuditLog } from '../ports.ts';
import { seal } from '../../control/services/audit.ts';

interface Row { seq: number; time: string; actor: string; method: string; path: string; zone: string | null; status: number; detail: string; prev: string; hash: string }

function toEntry(r: Row): AuditEntry {
  return { seq: Number(r.seq), time: r.time, actor: r.actor, method: r.method, path: r.path, zone: r.zone, status: Number(r.status), detail: JSON.parse(r.detail) as unknown, prev: r.prev, hash: r.hash };
}

export class SqliteAuditLog implements AuditLog {
  readonly #db: DatabaseSync;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec(`PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;
      CREATE TABLE IF NOT EXISTS audit_log (
        seq INTEGER PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
        zone TEXT, status INTEGER NOT NULL, detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL UNIQUE);
      CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`);
  }

  async append(e: Omit<AuditEntry, 'seq' | 'prev' | 'hash'>): Promise<AuditEntry> {
    // JSON round trip first, so the hash is over exactly what is stored and read back.
    const detail = JSON.parse(JSON.stringify(e.detail ?? null)) as unknown;
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const last = this.#db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
      const entry = seal({ ...e, detail }, last ? { seq: Number(last.seq), hash: last.hash } : undefined);
      this.#db.prepare('INSERT INTO audit_log (seq, time, actor, method, path, zone, status, detail, prev, hash) VALUES (?,?,?,?,?,?,?,?,?,?)')
        .run(entry.seq, entry.time, entry.actor, entry.method, entry.path, entry.zone, entry.status, JSON.stringify(entry.detail), entry.prev, entry.hash);
      this.#db.exec('COMMIT');
      return entry;
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  async list(afterSeq = 0, limit = 1000): Promise<AuditEntry[]> {
    return (this.#db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as unknown as Row[]).map(toEntry);
  }

  async count(): Promise<number> {
    const r = this.#db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number };
    return Number(r.n);
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
