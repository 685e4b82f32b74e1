/** AbuseReportStore in one process's memory (tests, and a node without a data folder). */
import type { AbuseForwarding, AbuseReport, AbuseReportCounts, AbuseReportInput, AbuseReportQuery, AbuseReportStatus, AbuseReportStore } from '../ports.ts';
import { clampLimit, emptyCounts, newAbuseTicket, newReport, withForward, withStatus } from '../abuse-ticket.ts';
import { systemRandom } from '../../lib/clock.ts';
import type { Random } from '../../lib/clock.ts';

export class MemoryAbuseReportStore implements AbuseReportStore {
  readonly #reports = new Map<string, AbuseReport>();
  readonly #random: Random;

  constructor(opts: { random?: Random } = {}) {
    this.#random = opts.random ?? systemRandom;
  }

  async create(input: AbuseReportInput): Promise<AbuseReport> {
    let ticket = newAbuseTicket(this.#random);
    while (this.#reports.has(ticket)) ticket = newAbuseTicket(this.#random);
    const r = newReport(ticket, input);
    this.#reports.set(ticket, r);
    return structuredClone(r);
  }

  async get(ticket: string): Promise<AbuseReport | undefined> {
    const r = this.#reports.get(ticket);
    return r === undefined ? undefined : structuredClone(r);
  }

  async list(q: AbuseReportQuery = {}): Promise<AbuseReport[]> {
    const all = [...this.#reports.values()].filter((r) => (q.zoneId === undefined || r.zoneId === q.zoneId) && (q.status === undefined || r.status === q.status) && (q.since === undefined || r.created >= q.since));
    // newest first; for equal times, the later created first (Map keeps insertion order)
    return all.reverse().sort((a, b) => b.created - a.created).slice(0, clampLimit(q.limit)).map((r) => structuredClone(r));
  }

  async setStatus(ticket: string, status: AbuseReportStatus, note: string, time: number): Promise<AbuseReport | undefined> {
    const r = this.#reports.get(ticket);
    if (r === undefined) return undefined;
    const next = withStatus(r, status, note, time);
    this.#reports.set(ticket, next);
    return structuredClone(next);
  }

  async addForward(ticket: string, f: AbuseForwarding): Promise<AbuseReport | undefined> {
    const r = this.#reports.get(ticket);
    if (r === undefined) return undefined;
    const next = withForward(r, f);
    this.#reports.set(ticket, next);
    return structuredClone(next);
  }

  async counts(since: number, until: number): Promise<AbuseReportCounts> {
    const c = emptyCounts();
    for (const r of this.#reports.values()) {
      if (r.created >= since && r.created < until) { c.received++; c.byCategory[r.category]++; }
      if (r.forwardedAt !== null && r.forwardedAt >= since && r.forwardedAt < until) c.forwarded++;
    }
    return c;
  }

  async close(): Promise<void> { /* nothing held */ }
}
