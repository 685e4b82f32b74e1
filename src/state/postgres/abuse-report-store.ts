/**
 * AbuseReportStore on PostgreSQL (table `abuse_reports`, migration 5 in migrate.ts): the report as JSON text plus
 * the indexed columns the queries need. A change is a read-modify-write under `SELECT … FOR UPDATE` in one
 * transaction, so two control planes changing one report serialise and a crash leaves it whole.
 */
import type { AbuseForwarding, AbuseReport, AbuseReportCounts, AbuseReportInput, AbuseReportQuery, AbuseReportStatus, AbuseReportStore } from '../ports.ts';
import { ABUSE_CATEGORIES } from '../ports.ts';
import { clampLimit, emptyCounts, newAbuseTicket, newReport, withForward, withStatus } from '../abuse-ticket.ts';
import type { PgDatabase } from './database.ts';
import { systemRandom } from '../../lib/clock.ts';
import type { Random } from '../../lib/clock.ts';

export interface PostgresAbuseReportStoreOptions {
  db: PgDatabase;
  /** Close `db` in close() (default false). */
  ownsDb?: boolean;
  random?: Random;
}

const clean = (s: string): string => (s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s);
/** PostgreSQL text cannot hold NUL: the JSON escapes it (\u0000), but keep the columns clean too. */
const json = (r: AbuseReport): string => JSON.stringify(r);

export class PostgresAbuseReportStore implements AbuseReportStore {
  readonly #db: PgDatabase;
  readonly #ownsDb: boolean;
  readonly #random: Random;

  constructor(opts: PostgresAbuseReportStoreOptions) {
    this.#db = opts.db;
    this.#ownsDb = opts.ownsDb ?? false;
    this.#random = opts.random ?? systemRandom;
  }

  async create(input: AbuseReportInput): Promise<AbuseReport> {
    for (;;) {
      const r = newReport(newAbuseTicket(this.#random), input);
      const res = await this.#db.run('INSERT INTO abuse_reports (ticket, zone_id, status, category, created, forwarded_at, data) VALUES ($1, $2, $3, $4, $5, NULL, $6) ON CONFLICT (ticket) DO NOTHING',
        [r.ticket, clean(r.zoneId), r.status, r.category, r.created, json(r)]);
      if (res.rowCount === 1) return r;
    }
  }

  async get(ticket: string): Promise<AbuseReport | undefined> {
    const rows = await this.#db.query<{ data: string }>('SELECT data FROM abuse_reports WHERE ticket = $1', [ticket]);
    return rows[0] === undefined ? undefined : JSON.parse(rows[0].data) as AbuseReport;
  }

  async list(q: AbuseReportQuery = {}): Promise<AbuseReport[]> {
    const where: string[] = [];
    const args: Array<string | number> = [];
    const add = (cond: string, v: string | number): void => { args.push(v); where.push(`${cond} $${args.length}`); };
    if (q.zoneId !== undefined) add('zone_id =', q.zoneId);
    if (q.status !== undefined) add('status =', q.status);
    if (q.since !== undefined) add('created >=', q.since);
    const rows = await this.#db.query<{ data: string }>(`SELECT data FROM abuse_reports ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created DESC, seq DESC LIMIT ${clampLimit(q.limit)}`, args);
    return rows.map((r) => JSON.parse(r.data) as AbuseReport);
  }

  async #change(ticket: string, fn: (r: AbuseReport) => AbuseReport): Promise<AbuseReport | undefined> {
    return this.#db.transaction(async (c) => {
      const rows = (await c.query<{ data: string }>('SELECT data FROM abuse_reports WHERE ticket = $1 FOR UPDATE', [ticket])).rows;
      if (rows[0] === undefined) return undefined;
      const next = fn(JSON.parse(rows[0].data) as AbuseReport);
      await c.query('UPDATE abuse_reports SET status = $1, forwarded_at = $2, data = $3 WHERE ticket = $4', [next.status, next.forwardedAt, json(next), ticket]);
      return next;
    });
  }

  async setStatus(ticket: string, status: AbuseReportStatus, note: string, time: number): Promise<AbuseReport | undefined> {
    return this.#change(ticket, (r) => withStatus(r, status, note, time));
  }

  async addForward(ticket: string, f: AbuseForwarding): Promise<AbuseReport | undefined> {
    return this.#change(ticket, (r) => withForward(r, f));
  }

  async counts(since: number, until: number): Promise<AbuseReportCounts> {
    const c = emptyCounts();
    const rows = await this.#db.query<{ category: string; n: string }>('SELECT category, COUNT(*) AS n FROM abuse_reports WHERE created >= $1 AND created < $2 GROUP BY category', [since, until]);
    for (const r of rows) {
      c.received += Number(r.n);
      if ((ABUSE_CATEGORIES as readonly string[]).includes(r.category)) c.byCategory[r.category as keyof typeof c.byCategory] += Number(r.n);
    }
    const f = await this.#db.query<{ n: string }>('SELECT COUNT(*) AS n FROM abuse_reports WHERE forwarded_at >= $1 AND forwarded_at < $2', [since, until]);
    c.forwarded = Number(f[0]?.n ?? 0);
    return c;
  }

  async close(): Promise<void> {
    if (this.#ownsDb) await this.#db.close();
  }
}
