/**
 * ConfigStore on PostgreSQL. `apply` is one transaction: it first bumps the version row (which also serialises
 * concurrent applies from every node, like SQLite's BEGIN IMMEDIATE), runs the ops, then `pg_notify('rampart_config',
 * '<version>')`, which PostgreSQL delivers to the listeners on commit only. Documents keep their JSON text exactly
 * as written and their insertion order (`seq`). A unique (kind, name) clash is a ConfigConflictError and rolls the
 * whole apply back.
 */
import type { PoolClient } from 'pg';
import { ConfigConflictError } from '../ports.ts';
import type { ConfigDoc, ConfigOp, ConfigStore } from '../ports.ts';
import type { PgDatabase } from './database.ts';

/** The NOTIFY channel on which every committed apply announces its version (the payload, in decimal). */
export const CONFIG_CHANNEL = 'rampart_config';

interface Row { kind: string; id: string; zone_id: string | null; name: string | null; data: string; modified_on: string }

const COLUMNS = 'kind, id, zone_id, name, data, modified_on';

function toDoc(r: Row): ConfigDoc {
  return { kind: r.kind, id: r.id, zoneId: r.zone_id, name: r.name, data: JSON.parse(r.data) as unknown, modifiedOn: r.modified_on };
}

export interface PostgresConfigStoreOptions {
  db: PgDatabase;
  /** Close `db` in close() (default false: the owner of a shared pool closes it). */
  ownsDb?: boolean;
  /** The clock for `modifiedOn` (default the real time). */
  now?: () => Date;
}

export class PostgresConfigStore implements ConfigStore {
  readonly #db: PgDatabase;
  readonly #ownsDb: boolean;
  readonly #now: () => Date;

  constructor(opts: PostgresConfigStoreOptions) {
    this.#db = opts.db;
    this.#ownsDb = opts.ownsDb ?? false;
    this.#now = opts.now ?? (() => new Date());
  }

  async version(): Promise<number> {
    const rows = await this.#db.query<{ value: string }>("SELECT value FROM config_meta WHERE key = 'version'");
    return Number(rows[0]?.value ?? 0);
  }

  async get(kind: string, id: string): Promise<ConfigDoc | undefined> {
    const rows = await this.#db.query<Row>(`SELECT ${COLUMNS} FROM config_docs WHERE kind = $1 AND id = $2`, [kind, id]);
    return rows[0] ? toDoc(rows[0]) : undefined;
  }

  async getByName(kind: string, name: string): Promise<ConfigDoc | undefined> {
    const rows = await this.#db.query<Row>(`SELECT ${COLUMNS} FROM config_docs WHERE kind = $1 AND name = $2`, [kind, name]);
    return rows[0] ? toDoc(rows[0]) : undefined;
  }

  async list(kind?: string, zoneId?: string): Promise<ConfigDoc[]> {
    const where: string[] = [];
    const args: string[] = [];
    if (kind !== undefined) { args.push(kind); where.push(`kind = $${args.length}`); }
    if (zoneId !== undefined) { args.push(zoneId); where.push(`zone_id = $${args.length}`); }
    const sql = `SELECT ${COLUMNS} FROM config_docs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
    return (await this.#db.query<Row>(sql, args)).map(toDoc);
  }

  async apply(ops: readonly ConfigOp[]): Promise<number> {
    const now = this.#now().toISOString();
    return this.#db.transaction(async (c) => {
      // Taking the version row's lock first serialises applies: each one sees the previous one's result.
      const v = await c.query<{ value: string }>("UPDATE config_meta SET value = value + 1 WHERE key = 'version' RETURNING value");
      const version = Number(v.rows[0]?.value);
      if (!Number.isSafeInteger(version)) throw new Error('config_meta has no version row: run the migrations');
      for (const op of ops) await applyOp(c, op, now);
      await c.query('SELECT pg_notify($1, $2)', [CONFIG_CHANNEL, String(version)]);
      return version;
    });
  }

  async snapshot(): Promise<{ version: number; docs: ConfigDoc[] }> {
    return this.#db.transaction(async (c) => {
      const v = await c.query<{ value: string }>("SELECT value FROM config_meta WHERE key = 'version'");
      const docs = await c.query<Row>(`SELECT ${COLUMNS} FROM config_docs ORDER BY seq`);
      return { version: Number(v.rows[0]?.value ?? 0), docs: docs.rows.map(toDoc) };
    }, { isolation: 'repeatable read', readOnly: true });
  }

  async close(): Promise<void> {
    if (this.#ownsDb) await this.#db.close();
  }
}

async function applyOp(c: PoolClient, op: ConfigOp, now: string): Promise<void> {
  if (op.op === 'put' || op.op === 'insert') {
    const d = op.doc;
    const sql = op.op === 'put'
      ? `INSERT INTO config_docs (kind, id, zone_id, name, data, modified_on) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (kind, id) DO UPDATE SET zone_id = excluded.zone_id, name = excluded.name, data = excluded.data, modified_on = excluded.modified_on`
      : `INSERT INTO config_docs (kind, id, zone_id, name, data, modified_on) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (kind, id) DO NOTHING`;
    try {
      await c.query(sql, [d.kind, d.id, d.zoneId, d.name, JSON.stringify(d.data ?? null), now]);
    } catch (e) {
      if (e instanceof Error && (e as { code?: unknown }).code === '23505' && (e as { constraint?: unknown }).constraint === 'config_docs_name') {
        throw new ConfigConflictError(`a ${d.kind} named "${d.name ?? ''}" already exists`);
      }
      throw e;
    }
  } else if (op.op === 'delete') {
    await c.query('DELETE FROM config_docs WHERE kind = $1 AND id = $2', [op.kind, op.id]);
  } else {
    await c.query('DELETE FROM config_docs WHERE zone_id = $1', [op.zoneId]);
  }
}
