/**
 * SecurityEventStore on SQLite: one table, indexed by zone and time and by ray. Every worker of a node opens the
 * same file (WAL) and appends in batches; the control plane reads.
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SecurityEvent, SecurityEventQuery, SecurityEventStore } from '../ports.ts';

interface Row { ray: string; zone_id: string; time: number; client_ip: string; method: string; host: string; path: string; query: string; user_agent: string; action: string; source: string; rule_id: string | null; reason: string; status: number; details: string }

export class SqliteSecurityEventStore implements SecurityEventStore {
  readonly #db: DatabaseSync;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec(`PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;
      CREATE TABLE IF NOT EXISTS security_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT, ray TEXT NOT NULL, zone_id TEXT NOT NULL, time INTEGER NOT NULL,
        client_ip TEXT NOT NULL, method TEXT NOT NULL, host TEXT NOT NULL, path TEXT NOT NULL, query TEXT NOT NULL,
        user_agent TEXT NOT NULL, action TEXT NOT NULL, source TEXT NOT NULL, rule_id TEXT, reason TEXT NOT NULL,
        status INTEGER NOT NULL, details TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS security_events_zone_time ON security_events(zone_id, time);
      CREATE INDEX IF NOT EXISTS security_events_ray ON security_events(ray);`);
  }

  async append(events: readonly SecurityEvent[]): Promise<void> {
    if (events.length === 0) return;
    const ins = this.#db.prepare('INSERT INTO security_events(ray,zone_id,time,client_ip,method,host,path,query,user_agent,action,source,rule_id,reason,status,details) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)');
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const e of events) ins.run(e.ray, e.zoneId, e.time, e.clientIp, e.method, e.host, e.path, e.query, e.userAgent, e.action, e.source, e.ruleId, e.reason, e.status, JSON.stringify(e.details ?? null));
      this.#db.exec('COMMIT');
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  async query(q: SecurityEventQuery): Promise<SecurityEvent[]> {
    const where = ['zone_id = ?'];
    const args: Array<string | number> = [q.zoneId];
    if (q.ray !== undefined) { where.push('ray = ?'); args.push(q.ray); }
    if (q.source !== undefined) { where.push('source = ?'); args.push(q.source); }
    if (q.clientIp !== undefined) { where.push('client_ip = ?'); args.push(q.clientIp); }
    if (q.since !== undefined) { where.push('time >= ?'); args.push(q.since); }
    if (q.until !== undefined) { where.push('time < ?'); args.push(q.until); }
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 10_000);
    const rows = this.#db.prepare(`SELECT * FROM security_events WHERE ${where.join(' AND ')} ORDER BY time DESC, id DESC LIMIT ${limit}`).all(...args) as unknown as Row[];
    return rows.map((r) => ({
      ray: r.ray, zoneId: r.zone_id, time: r.time, clientIp: r.client_ip, method: r.method, host: r.host, path: r.path, query: r.query,
      userAgent: r.user_agent, action: r.action, source: r.source, ruleId: r.rule_id, reason: r.reason, status: r.status, details: JSON.parse(r.details) as unknown,
    }));
  }

  async prune(before: number): Promise<number> {
    const r = this.#db.prepare('DELETE FROM security_events WHERE time < ?').run(before);
    return Number(r.changes);
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
