/**
 * Abuse report tickets and the report rules every AbuseReportStore adapter shares (so they answer alike).
 * A ticket is `AR-` + 13 Crockford base32 characters encoding 64 random bits: unguessable, case-insensitive when
 * read back (`normaliseTicket`), no I, L, O or U.
 */
import type { AbuseCategory, AbuseForwarding, AbuseReport, AbuseReportCounts, AbuseReportInput, AbuseReportStatus } from './ports.ts';
import { ABUSE_CATEGORIES } from './ports.ts';
import type { Random } from '../lib/clock.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const TICKET_RE = /^AR-[0-9A-HJKMNP-TV-Z]{13}$/;

/** A fresh ticket from 64 random bits. */
export function newAbuseTicket(random: Random): string {
  const b = random.bytes(8);
  let n = b.readBigUInt64BE(0);
  let s = '';
  for (let i = 0; i < 13; i++) { s = ALPHABET[Number(n & 31n)]! + s; n >>= 5n; }
  return 'AR-' + s;
}

/** The canonical form of a ticket as typed by a person (case, O→0, I/L→1), or undefined when it cannot be one. */
export function normaliseTicket(raw: string): string | undefined {
  const t = raw.trim().toUpperCase().replace(/^AR-?/, '');
  const fixed = t.replace(/O/g, '0').replace(/[IL]/g, '1');
  const full = 'AR-' + fixed;
  return TICKET_RE.test(full) ? full : undefined;
}

export function newReport(ticket: string, input: AbuseReportInput): AbuseReport {
  return { ...input, ticket, status: 'received', updated: input.created, forwardedAt: null, forwards: [], history: [{ time: input.created, status: 'received', note: '' }] };
}

export function withStatus(r: AbuseReport, status: AbuseReportStatus, note: string, time: number): AbuseReport {
  return { ...r, status, updated: time, history: [...r.history, { time, status, note }] };
}

export function withForward(r: AbuseReport, f: AbuseForwarding): AbuseReport {
  let next: AbuseReport = { ...r, updated: f.time, forwards: [...r.forwards, f] };
  if (f.ok && r.forwardedAt === null) {
    next = { ...next, forwardedAt: f.time };
    if (r.status === 'received') next = withStatus(next, 'forwarded', `forwarded to ${f.role}`, f.time);
  }
  return next;
}

export function emptyCounts(): { received: number; forwarded: number; byCategory: Record<AbuseCategory, number> } {
  return { received: 0, forwarded: 0, byCategory: Object.fromEntries(ABUSE_CATEGORIES.map((c) => [c, 0])) as Record<AbuseCategory, number> };
}

export function clampLimit(limit: number | undefined): number {
  const l = limit ?? 100;
  return Number.isFinite(l) ? Math.min(Math.max(Math.floor(l), 1), 1000) : 100;
}

export type { AbuseReportCounts };
