/**
 * SecurityEventStore on PostgreSQL: one table indexed by (zone_id, time) and by ray. A batch is written by
 * multi-row INSERTs (up to 1000 rows per statement) in one transaction. PostgreSQL text cannot hold NUL, so a NUL
 * in a string field (an attacker's path or query) is stored as U+FFFD.
 */
import type { SecurityEvent, SecurityEventQuery, SecurityEventStore } from '../ports.ts';
import type { PgDatabase } from './database.ts';

interface Row { ray: string; zone_id: string; time: string; client_ip: string; method: string; host: string; path: string; query: string; user_agent: string; action: string; source: string; rule_id: string | null; reason: string; status: number; details: string }

const COLUMNS = ['ray', 'zone_id', 'time', 'client_ip', 'method', 'host', 'path', 'query', 'user_agent', 'action', 'source', 'rule_id', 'reason', 'status', 'details'] as const;
const ROWS_PER_STATEMENT = 1000;

const clean = (s: string): string => (s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s);

function values(e: SecurityEvent): unknown[] {
  return [clean(e.ray), clean(e.zoneId), e.time, clean(e.clientIp), clean(e.method), clean(e.host), clean(e.path), clean(e.query), clean(e.userAgent),
    clean(e.action), clean(e.source), e.ruleId === null ? null : clean(e.ruleId), clean(e.reason), e.status, JSON.stringify(e.details ?? null)];
}

export interface PostgresSecurityEventStoreOptions {
  db: PgDatabase;
  /** Close `db` in close() (default false). */
  ownsDb?: boolean;
}

export class PostgresSecurityEventStore implements SecurityEventStore {
  readonly #db: PgDatabase;
  readonly #ownsDb: boolean;

  constructor(opts: PostgresSecurityEventStoreOptions) {
    this.#db = opts.db;
    this.#ownsDb = opts.ownsDb ?? false;
  }

  async append(events: readonly SecurityEvent[]): Promise<void> {
    if (events.length === 0) return;
    const statements: Array<{ sql: string; args: unknown[] }> = [];
    for (let i = 0; i < events.length; i += ROWS_PER_STATEMENT) {
      const chunk = events.slice(i, i + ROWS_PER_STATEMENT);
      const args: unknown[] = [];
      const tuples = chunk.map((e) => {
        const base = args.length;
        args.push(...values(e));
        return `(${COLUMNS.map((_, j) => `$${base + j + 1}`).join(', ')})`;
      });
      statements.push({ sql: `INSERT INTO security_events (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, args });
    }
    if (statements.length === 1) {
      const s = statements[0]!;
      await this.#db.run(s.sql, s.args);
      return;
    }
    await this.#db.transaction(async (c) => {
      for (const s of statements) await c.query(s.sql, s.args);
    });
  }

  async query(q: SecurityEventQuery): Promise<SecurityEvent[]> {
    const where = ['zone_id = $1'];
    const args: Array<string | number> = [q.zoneId];
    const add = (cond: string, v: string | number): void => { args.push(v); where.push(`${cond} $${args.length}`); };
    if (q.ray !== undefined) add('ray =', q.ray);
    if (q.source !== undefined) add('source =', q.source);
    if (q.clientIp !== undefined) add('client_ip =', q.clientIp);
    if (q.since !== undefined) add('time >=', q.since);
    if (q.until !== undefined) add('time <', q.until);
    const asked = q.limit ?? 100;
    const limit = Number.isFinite(asked) ? Math.min(Math.max(Math.floor(asked), 1), 10_000) : 100;
    const rows = await this.#db.query<Row>(`SELECT ${COLUMNS.join(', ')} FROM security_events WHERE ${where.join(' AND ')} ORDER BY time DESC, id DESC LIMIT ${limit}`, args);
    return rows.map((r) => ({
      ray: r.ray, zoneId: r.zone_id, time: Number(r.time), clientIp: r.client_ip, method: r.method, host: r.host, path: r.path, query: r.query,
      userAgent: r.user_agent, action: r.action, source: r.source, ruleId: r.rule_id, reason: r.reason, status: Number(r.status), details: JSON.parse(r.details) as unknown,
    }));
  }

  async prune(before: number): Promise<number> {
    return (await this.#db.run('DELETE FROM security_events WHERE time < $1', [before])).rowCount;
  }

  async close(): Promise<void> {
    if (this.#ownsDb) await this.#db.close();
  }
}
