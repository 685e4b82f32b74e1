/**
 * ConfigStore on SQLite (node:sqlite, WAL, synchronous=FULL so a commit survives a power cut or kill -9).
 * Several processes may open the same file: writes serialise on SQLite's lock (busy_timeout).
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigConflictError } from '../ports.ts';
import type { ConfigDoc, ConfigOp, ConfigStore } from '../ports.ts';
import { migrate } from './schema.ts';

interface Row { kind: string; id: string; zone_id: string | null; name: string | null; data: string; modified_on: string }

function toDoc(r: Row): ConfigDoc {
  return { kind: r.kind, id: r.id, zoneId: r.zone_id, name: r.name, data: JSON.parse(r.data) as unknown, modifiedOn: r.modified_on };
}

export class SqliteConfigStore implements ConfigStore {
  readonly #db: DatabaseSync;
  readonly #now: () => Date;

  constructor(path: string, opts: { now?: () => Date } = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;');
    migrate(this.#db);
    this.#now = opts.now ?? (() => new Date());
  }

  async version(): Promise<number> {
    return this.#version();
  }

  #version(): number {
    const r = this.#db.prepare("SELECT value FROM config_meta WHERE key='version'").get() as { value: number } | undefined;
    return Number(r?.value ?? 0);
  }

  async get(kind: string, id: string): Promise<ConfigDoc | undefined> {
    const r = this.#db.prepare('SELECT * FROM config_docs WHERE kind=? AND id=?').get(kind, id) as Row | undefined;
    return r ? toDoc(r) : undefined;
  }

  async getByName(kind: string, name: string): Promise<ConfigDoc | undefined> {
    const r = this.#db.prepare('SELECT * FROM config_docs WHERE kind=? AND name=?').get(kind, name) as Row | undefined;
    return r ? toDoc(r) : undefined;
  }

  async list(kind?: string, zoneId?: string): Promise<ConfigDoc[]> {
    let rows: Row[];
    if (kind !== undefined && zoneId !== undefined) rows = this.#db.prepare('SELECT * FROM config_docs WHERE kind=? AND zone_id=? ORDER BY rowid').all(kind, zoneId) as unknown as Row[];
    else if (kind !== undefined) rows = this.#db.prepare('SELECT * FROM config_docs WHERE kind=? ORDER BY rowid').all(kind) as unknown as Row[];
    else if (zoneId !== undefined) rows = this.#db.prepare('SELECT * FROM config_docs WHERE zone_id=? ORDER BY rowid').all(zoneId) as unknown as Row[];
    else rows = this.#db.prepare('SELECT * FROM config_docs ORDER BY rowid').all() as unknown as Row[];
    return rows.map(toDoc);
  }

  async apply(ops: readonly ConfigOp[]): Promise<number> {
    const db = this.#db;
    const now = this.#now().toISOString();
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const op of ops) {
        if (op.op === 'put' || op.op === 'insert') {
          const d = op.doc;
          const sql = op.op === 'put'
            ? 'INSERT INTO config_docs(kind,id,zone_id,name,data,modified_on) VALUES (?,?,?,?,?,?) ON CONFLICT(kind,id) DO UPDATE SET zone_id=excluded.zone_id, name=excluded.name, data=excluded.data, modified_on=excluded.modified_on'
            : 'INSERT INTO config_docs(kind,id,zone_id,name,data,modified_on) VALUES (?,?,?,?,?,?) ON CONFLICT(kind,id) DO NOTHING';
          try {
            db.prepare(sql).run(d.kind, d.id, d.zoneId, d.name, JSON.stringify(d.data), now);
          } catch (e) {
            if (e instanceof Error && /UNIQUE constraint failed/.test(e.message)) {
              throw new ConfigConflictError(`a ${d.kind} named "${d.name ?? ''}" already exists`);
            }
            throw e;
          }
        } else if (op.op === 'delete') {
          db.prepare('DELETE FROM config_docs WHERE kind=? AND id=?').run(op.kind, op.id);
        } else {
          db.prepare('DELETE FROM config_docs WHERE zone_id=?').run(op.zoneId);
        }
      }
      db.prepare("UPDATE config_meta SET value = value + 1 WHERE key='version'").run();
      const v = this.#version();
      db.exec('COMMIT');
      return v;
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  }

  async snapshot(): Promise<{ version: number; docs: ConfigDoc[] }> {
    this.#db.exec('BEGIN');
    try {
      const version = this.#version();
      const docs = (this.#db.prepare('SELECT * FROM config_docs ORDER BY rowid').all() as unknown as Row[]).map(toDoc);
      return { version, docs };
    } finally {
      this.#db.exec('COMMIT');
    }
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
