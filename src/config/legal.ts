/**
 * Legal orders as data: the stored shape (a zone-owned config document of kind 'legal_order') and which requests an
 * order covers. Shared by the control plane (recording, lifting, the transparency report) and the edge's legal
 * phase (the 451 answer), so it lives with the other config models.
 */
import { z } from 'zod';

export const LEGAL_ORDER_KIND = 'legal_order';

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s + 'T00:00:00Z')) && new Date(s + 'T00:00:00Z').toISOString().startsWith(s), 'not a calendar date');

export const LegalOrderSchema = z.object({
  id: z.string().min(1),
  zone_id: z.string().min(1),
  zone: z.string().min(1),
  court: z.string().trim().min(1).max(300),
  case: z.string().trim().min(1).max(200),
  date: DATE,
  jurisdiction: z.array(z.string().regex(/^[A-Z]{2}$/, 'expected ISO 3166-1 alpha-2 country codes (DE, FR, ...)')).min(1),
  document: z.object({ name: z.string().max(200), sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative() }).strict(),
  /** Empty hostnames and empty paths: the whole zone. */
  hostnames: z.array(z.string().min(1).max(253)).max(100).default([]),
  /** URL path prefixes (segment boundary: /a covers /a and /a/b, not /ab). */
  paths: z.array(z.string().startsWith('/', 'a path starts with /').max(2048)).max(1000).default([]),
  /** Apply only to clients whose country is known to be one of the jurisdiction's. */
  geo: z.boolean().default(false),
  /** Last day (UTC, inclusive) the order applies; null: until lifted. */
  expires: DATE.nullable().default(null),
  status: z.enum(['in_force', 'lifted']),
  received_at: z.string(),
  lifted_at: z.string().nullable().default(null),
  lift_reason: z.string().nullable().default(null),
  /** The operator contests the order (appeal, objection): it stays in force meanwhile; counted in the report. */
  contested: z.object({ since: z.string(), note: z.string().max(2000) }).strict().nullable().optional(),
}).strict();
export type LegalOrder = z.infer<typeof LegalOrderSchema>;

/**
 * The only reasons besides a legal order for which a zone stops being served (issue 9: never for its content or
 * politics). Each suspension or removal records one of them, who did it and when; the transparency report counts them.
 */
export const SUSPENSION_REASONS = {
  account_request: 'the account holder asked for it',
  attack_source: "the site's own traffic is an attack on others",
  non_payment: 'the service was not paid for',
} as const;
export type SuspensionReason = keyof typeof SUSPENSION_REASONS;
export const SuspensionReasonSchema = z.enum(Object.keys(SUSPENSION_REASONS) as [SuspensionReason, ...SuspensionReason[]], {
  error: `the reason must be one of ${Object.keys(SUSPENSION_REASONS).join(', ')} (a zone is never suspended for what it publishes; that takes a legal order)`,
});
export const SuspensionSchema = z.object({
  reason: SuspensionReasonSchema,
  note: z.string().max(1000).default(''),
  since: z.string(),
  by: z.string(),
}).strict();
export type Suspension = z.infer<typeof SuspensionSchema>;

/**
 * A request for user data from an authority (subpoena, warrant, ...), recorded for the transparency report: what
 * was asked and what was answered. Kind 'data_request', global.
 */
export const DATA_REQUEST_KIND = 'data_request';
export const DataRequestInputSchema = z.object({
  authority: z.string().trim().min(1).max(300),
  case: z.string().trim().max(200).default(''),
  date: DATE,
  jurisdiction: z.array(z.string().regex(/^[A-Z]{2}$/, 'expected ISO 3166-1 alpha-2 country codes (DE, FR, ...)')).min(1),
  zones: z.array(z.string().min(1).max(253)).max(1000).default([]),
  outcome: z.enum(['pending', 'disclosed', 'partially_disclosed', 'refused', 'no_data']).default('pending'),
  note: z.string().max(2000).default(''),
}).strict();
export type DataRequest = z.infer<typeof DataRequestInputSchema> & { id: string; received_at: string; answered_at: string | null };

/** The public transparency page, rendered by the control plane and served by the edge (kind 'transparency_page'). */
export const TRANSPARENCY_PAGE_KIND = 'transparency_page';
/** On a zone's hostnames the page is here; on hostnames that are no zone's, also at /transparency. */
export const TRANSPARENCY_PATH = '/.rampart/transparency';

/**
 * Why a reviewed high-traffic sign-up may be denied: operational reasons only. The content or politics of a site is
 * never a reason, and this list has none.
 */
export const DENIAL_REASONS = {
  capacity: 'the edge has not the capacity the declared traffic needs',
  verification_failed: 'the sign-up could not be verified',
  abusive_signup: 'the sign-up itself is abusive',
} as const;
export type DenialReason = keyof typeof DENIAL_REASONS;
export const DenialReasonSchema = z.enum(Object.keys(DENIAL_REASONS) as [DenialReason, ...DenialReason[]], {
  error: `the reason must be one of ${Object.keys(DENIAL_REASONS).join(', ')} (never the site's content or politics)`,
});

/** A zone removed: kept (kind 'zone_removal', global) for the transparency report. */
export const ZONE_REMOVAL_KIND = 'zone_removal';
export interface ZoneRemoval {
  readonly id: string; readonly zone: string; readonly reason: SuspensionReason | 'signup_denied'; readonly note: string; readonly at: string; readonly by: string;
  /** For a denied sign-up: why. */
  readonly denial?: DenialReason;
}

/** Whether the order applies at `now` (ms since the epoch): not lifted and not past its expiry day. */
export function orderInForce(o: LegalOrder, now: number): boolean {
  if (o.status !== 'in_force') return false;
  if (o.expires === null) return true;
  return now < Date.parse(o.expires + 'T00:00:00Z') + 86_400_000;
}

const UNRESERVED = /%([0-9A-Fa-f]{2})/g;
/** The path as the origin will see it: query dropped, unreserved %XX decoded, dot segments and // resolved. */
export function normalisePath(rawUrl: string): string {
  let p = rawUrl;
  const q = p.indexOf('?'); if (q >= 0) p = p.slice(0, q);
  const h = p.indexOf('#'); if (h >= 0) p = p.slice(0, h);
  if (!p.startsWith('/')) p = '/' + p;
  p = p.replace(UNRESERVED, (m, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : m.toUpperCase();
  });
  p = p.replace(/\/{2,}/g, '/');
  try { p = new URL(p, 'http://x').pathname; } catch { /* keep */ }
  return p;
}

function pathCovered(prefix: string, path: string): boolean {
  if (prefix === '/' || path === prefix) return true;
  return path.startsWith(prefix.endsWith('/') ? prefix : prefix + '/');
}

/** Whether a request (host, normalised path, client country if known) is inside the order's scope. */
export function orderCovers(o: LegalOrder, host: string, path: string, country: string | undefined): boolean {
  if (o.hostnames.length && !o.hostnames.includes(host.toLowerCase())) return false;
  if (o.paths.length && !o.paths.some((p) => pathCovered(p, path))) return false;
  if (o.geo && (country === undefined || !o.jurisdiction.includes(country.toUpperCase()))) return false;
  return true;
}

/** The first order in force covering the request, or undefined. */
export function findOrder(orders: readonly LegalOrder[], host: string, rawUrl: string, country: string | undefined, now: number): LegalOrder | undefined {
  const path = normalisePath(rawUrl);
  return orders.find((o) => orderInForce(o, now) && orderCovers(o, host, path, country));
}

