/**
 * AbuseReportStore on SQLite (`<data>/abuse.db`): one row per report, the report as JSON plus the indexed columns
 * the queries need (file mode 0600: reporters' personal data). WAL with `synchronous=FULL`; every change is one read-modify-write inside BEGIN IMMEDIATE, so a
 * crash mid-write leaves the old row or the new one.
 */
import type { DatabaseSync } from 'node:sqlite';
import { chmodSync } from 'node:fs';
import type { AbuseForwarding, AbuseReport, AbuseReportCounts, AbuseReportInput, AbuseReportQuery, AbuseReportStatus, AbuseReportStore } from '../ports.ts';
import { ABUSE_CATEGORIES } from '../ports.ts';
import { clampLimit, emptyCounts, newAbuseTicket, newReport, withForward, withStatus } from '../abuse-ticket.ts';
import { immediateTransaction, openSqlite } from './open-sqlite.ts';
import { systemRandom } from '../../lib/clock.ts';
import type { Random } from '../../lib/clock.ts';

export interface SqliteAbuseReportStoreOptions {
  /** The database file (`<data>/abuse.db`), or ':memory:'. */
  path: string;
  random?: Random;
}

export class SqliteAbuseReportStore implements AbuseReportStore {
  readonly #db: DatabaseSync;
  readonly #random: Random;

  constructor(opts: SqliteAbuseReportStoreOptions) {
    this.#random = opts.random ?? systemRandom;
    this.#db = openSqlite(opts.path);
    this.#db.exec('PRAGMA synchronous = FULL');
    // reports hold reporters' names and addresses: owner-only, whatever the umask
    if (opts.path !== ':memory:' && opts.path !== '') for (const f of ['', '-wal', '-shm']) { try { chmodSync(opts.path + f, 0o600); } catch { /* not created yet */ } }
    immediateTransaction(this.#db, () => this.#db.exec(`
      CREATE TABLE IF NOT EXISTS abuse_reports (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, ticket TEXT NOT NULL UNIQUE, zone_id TEXT NOT NULL, status TEXT NOT NULL,
        category TEXT NOT NULL, created INTEGER NOT NULL, forwarded_at INTEGER, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS abuse_reports_created ON abuse_reports(created);
      CREATE INDEX IF NOT EXISTS abuse_reports_zone ON abuse_reports(zone_id, created);
      CREATE INDEX IF NOT EXISTS abuse_reports_forwarded ON abuse_reports(forwarded_at) WHERE forwarded_at IS NOT NULL;`));
  }

  #read(ticket: string): AbuseReport | undefined {
    const row = this.#db.prepare('SELECT data FROM abuse_reports WHERE ticket = ?').get(ticket) as { data: string } | undefined;
    return row === undefined ? undefined : JSON.parse(row.data) as AbuseReport;
  }

  #write(r: AbuseReport): void {
    this.#db.prepare('UPDATE abuse_reports SET status = ?, forwarded_at = ?, data = ? WHERE ticket = ?').run(r.status, r.forwardedAt, JSON.stringify(r), r.ticket);
  }

  async create(input: AbuseReportInput): Promise<AbuseReport> {
    return immediateTransaction(this.#db, () => {
      let ticket = newAbuseTicket(this.#random);
      while (this.#read(ticket) !== undefined) ticket = newAbuseTicket(this.#random);
      const r = newReport(ticket, input);
      this.#db.prepare('INSERT INTO abuse_reports(ticket, zone_id, status, category, created, forwarded_at, data) VALUES (?, ?, ?, ?, ?, NULL, ?)')
        .run(ticket, r.zoneId, r.status, r.category, r.created, JSON.stringify(r));
      return r;
    });
  }

  async get(ticket: string): Promise<AbuseReport | undefined> {
    return this.#read(ticket);
  }

  async list(q: AbuseReportQuery = {}): Promise<AbuseReport[]> {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.zoneId !== undefined) { where.push('zone_id = ?'); args.push(q.zoneId); }
    if (q.status !== undefined) { where.push('status = ?'); args.push(q.status); }
    if (q.since !== undefined) { where.push('created >= ?'); args.push(q.since); }
    const rows = this.#db.prepare(`SELECT data FROM abuse_reports ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created DESC, seq DESC LIMIT ${clampLimit(q.limit)}`).all(...args) as unknown as Array<{ data: string }>;
    return rows.map((r) => JSON.parse(r.data) as AbuseReport);
  }

  #change(ticket: string, fn: (r: AbuseReport) => AbuseReport): AbuseReport | undefined {
    return immediateTransaction(this.#db, () => {
      const r = this.#read(ticket);
      if (r === undefined) return undefined;
      const next = fn(r);
      this.#write(next);
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
    const rows = this.#db.prepare('SELECT category, COUNT(*) AS n FROM abuse_reports WHERE created >= ? AND created < ? GROUP BY category').all(since, until) as unknown as Array<{ category: string; n: number }>;
    for (const r of rows) {
      c.received += Number(r.n);
      if ((ABUSE_CATEGORIES as readonly string[]).includes(r.category)) c.byCategory[r.category as keyof typeof c.byCategory] += Number(r.n);
    }
    const f = this.#db.prepare('SELECT COUNT(*) AS n FROM abuse_reports WHERE forwarded_at >= ? AND forwarded_at < ?').get(since, until) as { n: number };
    c.forwarded = Number(f.n);
    return c;
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
