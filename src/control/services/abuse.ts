/**
 * Abuse reports (issue 9): anyone may report a site; the report is validated, recorded with an unguessable ticket,
 * and forwarded by email to the zone's owner (its account's email) and to the zone's hosting contact
 * (`settings.abuse_contact`). A report never changes how the site is served: this service writes only to the
 * AbuseReportStore, never to the configuration.
 *
 * Forwarding runs after the report is recorded (the reporter does not wait for SMTP): through the relay at
 * `RAMPART_SMTP_URL` when set, else each recipient is recorded as "forward pending: no SMTP relay configured".
 * Every outcome (to whom, when, ok or the error) is appended to the report.
 */
import { hostname } from 'node:os';
import type { AbuseCategory, AbuseFieldError, AbuseReport, AbuseReportStatus, AbuseReportStore, AbuseSubmitResult, AbuseTicketView } from '../../state/ports.ts';
import { ABUSE_CATEGORIES, ABUSE_STATUSES } from '../../state/ports.ts';
import { normaliseTicket } from '../../state/abuse-ticket.ts';
import type { Zone } from '../../config/schema.ts';
import { ApiError, API_CODES, notFound } from '../api/errors.ts';
import { parsePeriod } from './legal.ts';
import type { ZoneService } from './zones.ts';
import type { AccountService } from './accounts.ts';
import { sendMail } from './smtp.ts';
import type { SmtpMessage } from './smtp.ts';

export const MAX_DESCRIPTION = 5000;
const MAX_NAME = 200;
const MAX_URL = 2048;
const EMAIL = /^[^\s<>()@,;:"]+@[^\s<>()@,;:".]+(\.[^\s<>()@,;:".]+)+$/;
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Human names of the categories (the form's options). */
export const CATEGORY_LABELS: Readonly<Record<AbuseCategory, string>> = {
  copyright: 'Copyright infringement', phishing: 'Phishing', malware: 'Malware', harassment: 'Harassment',
  csam: 'Child sexual abuse material', violent_threat: 'Violent threats', other: 'Other',
};

export type { AbuseFieldError, AbuseSubmitResult, AbuseTicketView } from '../../state/ports.ts';

/** The zones and owners the service needs (ZoneService + AccountService in production: `abuseDirectory`). */
export interface AbuseDirectory {
  zones(): Promise<readonly Zone[]>;
  /** By name or id; throws a 404 ApiError when unknown. */
  zone(ref: string): Promise<Zone>;
  /** The email of the account that owns a zone, or undefined (no such account, e.g. `default`). */
  ownerEmail(account: string): Promise<string | undefined>;
}

export function abuseDirectory(zones: ZoneService, accounts: AccountService): AbuseDirectory {
  return {
    zones: () => zones.list(),
    zone: (ref) => zones.get(ref),
    ownerEmail: async (account) => { try { return (await accounts.get(account)).email; } catch { return undefined; } },
  };
}

export interface AbuseServiceOptions {
  readonly store: AbuseReportStore;
  readonly directory: AbuseDirectory;
  /** `smtp://host:port` (RAMPART_SMTP_URL); absent: forwards are recorded as pending. */
  readonly smtpUrl?: string | undefined;
  /** Sender address (RAMPART_ABUSE_FROM; default `abuse@<hostname>`). */
  readonly from?: string | undefined;
  readonly smtpTimeoutMs?: number;
  readonly now?: () => number;
  /** Told about failed forwards and store errors in the background (logging). */
  readonly onError?: (err: unknown, ticket: string) => void;
}

/** Does `host` belong to the zone (its name, an alias, or a wildcard alias)? Same rule as the edge's routing. */
export function zoneServesHost(z: Zone, host: string): boolean {
  if (z.name === host) return true;
  for (const a of z.aliases) {
    if (a === host) return true;
    if (a.startsWith('*.') && host.endsWith(a.slice(1)) && host.length > a.length - 1) return true;
  }
  return false;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : undefined);
const truthy = (v: unknown): boolean => v === true || v === 'on' || v === 'true' || v === '1' || v === 'yes';

export interface ValidAbuseReport {
  readonly zone: Zone;
  readonly host: string;
  readonly url: string | null;
  readonly category: AbuseCategory;
  readonly description: string;
  readonly reporterName: string | null;
  readonly reporterEmail: string | null;
  readonly shareContact: boolean;
}

export class AbuseService {
  readonly #store: AbuseReportStore;
  readonly #dir: AbuseDirectory;
  readonly #smtpUrl: string | undefined;
  readonly #from: string;
  readonly #timeout: number;
  readonly #now: () => number;
  readonly #onError: (err: unknown, ticket: string) => void;
  readonly #inflight = new Set<Promise<void>>();

  constructor(o: AbuseServiceOptions) {
    this.#store = o.store;
    this.#dir = o.directory;
    this.#smtpUrl = o.smtpUrl || undefined;
    this.#from = o.from || `abuse@${hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '') || 'localhost'}`;
    this.#timeout = o.smtpTimeoutMs ?? 10_000;
    this.#now = o.now ?? Date.now;
    this.#onError = o.onError ?? (() => {});
  }

  get store(): AbuseReportStore { return this.#store; }

  /**
   * Validate a submission: `host` and/or `url` (http/https; its host is the one reported), `category` from the fixed
   * list, `description` (1..5000 characters), `reporter_name` / `reporter_email` optional (email required for
   * copyright), `share_contact`. Every problem names its field. The host must be served by one of the zones.
   */
  async validate(raw: unknown): Promise<{ ok: true; report: ValidAbuseReport } | { ok: false; errors: AbuseFieldError[] }> {
    const errors: AbuseFieldError[] = [];
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, errors: [{ field: 'body', message: 'body: expected form fields or a JSON object' }] };
    const b = raw as Record<string, unknown>;
    const bad = (field: string, message: string): void => { errors.push({ field, message: `${field}: ${message}` }); };

    let host = str(b['host'])?.toLowerCase().replace(/\.$/, '') || undefined;
    let url: string | null = null;
    const urlRaw = str(b['url']);
    if (urlRaw) {
      let u: URL | undefined;
      try { u = new URL(/^[a-z][a-z0-9+.-]*:/i.test(urlRaw) ? urlRaw : `http://${urlRaw}`); } catch { u = undefined; }
      if (u === undefined || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '') bad('url', `"${urlRaw.slice(0, 100)}" is not an http or https URL`);
      else if (urlRaw.length > MAX_URL) bad('url', `longer than ${MAX_URL} characters`);
      else {
        u.username = ''; u.password = '';
        const uh = u.hostname.toLowerCase().replace(/\.$/, '');
        if (host !== undefined && host !== uh) bad('url', `its host "${uh}" is not the reported host "${host}"`);
        host ??= uh;
        url = u.href;
      }
    }
    let zone: Zone | undefined;
    if (host === undefined) {
      if (!urlRaw) bad('host', 'required (the site you report, or give its url)');
    } else if (!HOST.test(host)) bad('host', `"${host.slice(0, 100)}" is not a hostname`);
    else {
      zone = (await this.#dir.zones()).find((z) => zoneServesHost(z, host!));
      if (zone === undefined) bad('host', `"${host}" is not a site served here`);
    }

    const category = str(b['category']);
    if (!category) bad('category', `required (one of ${ABUSE_CATEGORIES.join(', ')})`);
    else if (!(ABUSE_CATEGORIES as readonly string[]).includes(category)) bad('category', `"${category.slice(0, 50)}" is not one of ${ABUSE_CATEGORIES.join(', ')}`);

    const description = str(b['description'])?.replace(/\r\n?/g, '\n') ?? '';
    if (description === '') bad('description', 'required (what is wrong, and where)');
    else if (description.length > MAX_DESCRIPTION) bad('description', `longer than ${MAX_DESCRIPTION} characters (${description.length})`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(description)) bad('description', 'contains control characters');

    const name = str(b['reporter_name']) || null;
    if (name !== null && (name.length > MAX_NAME || /[\r\n\u0000-\u001f]/.test(name))) bad('reporter_name', `at most ${MAX_NAME} characters on one line`);
    const email = str(b['reporter_email'])?.toLowerCase() || null;
    if (email !== null && (email.length > 254 || !EMAIL.test(email))) bad('reporter_email', `"${email.slice(0, 100)}" is not an email address`);
    if (email === null && category === 'copyright') bad('reporter_email', 'required for copyright reports (the site owner must be able to answer the rights holder)');

    if (errors.length || zone === undefined || host === undefined) return { ok: false, errors };
    return {
      ok: true,
      report: {
        zone, host, url, category: category as AbuseCategory, description, reporterName: name, reporterEmail: email,
        // a copyright notice is passed on with its sender (as the DMCA process expects); otherwise only with consent
        shareContact: category === 'copyright' || truthy(b['share_contact']),
      },
    };
  }

  /** Validate, record and start forwarding; throws ApiError 400 naming each bad field. */
  async create(raw: unknown): Promise<AbuseReport> {
    const v = await this.validate(raw);
    if (!v.ok) throw new ApiError(400, API_CODES.validation, v.errors.map((e) => e.message).join('; '), v.errors.map((e) => ({ code: API_CODES.validation, message: e.message, path: e.field })));
    const r = v.report;
    const report = await this.#store.create({
      zoneId: r.zone.id, zone: r.zone.name, host: r.host, url: r.url, category: r.category, description: r.description,
      reporterName: r.reporterName, reporterEmail: r.reporterEmail, shareContact: r.shareContact, created: this.#now(),
    });
    const p = this.#forward(report, r.zone).catch((e: unknown) => this.#onError(e, report.ticket)).finally(() => this.#inflight.delete(p));
    this.#inflight.add(p);
    return report;
  }

  /** The edge's entry point (AbuseSink.submit): never throws for a bad submission, answers the field errors. */
  async submit(raw: unknown): Promise<AbuseSubmitResult> {
    try {
      return { ok: true, ticket: (await this.create(raw)).ticket };
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) return { ok: false, status: 400, errors: e.errors.map((x) => ({ field: x.path ?? 'body', message: x.message })) };
      throw e;
    }
  }

  /** The public view of a ticket (AbuseSink.status): status and dates only; undefined when unknown. */
  async status(ticket: string): Promise<AbuseTicketView | undefined> {
    const t = normaliseTicket(ticket);
    if (t === undefined) return undefined;
    const r = await this.#store.get(t);
    if (r === undefined) return undefined;
    const iso = (ms: number): string => new Date(ms).toISOString();
    return {
      ticket: r.ticket, status: r.status, received: iso(r.created), updated: iso(r.updated), forwarded: r.forwardedAt === null ? null : iso(r.forwardedAt),
      history: r.history.map((h) => ({ status: h.status, time: iso(h.time) })),
    };
  }

  /** Resolves when every forwarding started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#inflight.size) await Promise.allSettled([...this.#inflight]);
  }

  /**
   * The operator's retry: forward again to every recipient (as the zone says now) that has not had the report
   * successfully, e.g. after RAMPART_SMTP_URL was set. Waits for the outcome; returns the report.
   */
  async forwardAgain(ticket: string): Promise<AbuseReport> {
    const r = await this.get(ticket);
    const zone = await this.#dir.zone(r.zoneId);
    const done = new Set(r.forwards.filter((f) => f.ok && f.to !== null).map((f) => `${f.role}:${f.to!}`));
    await this.#forward(r, zone, done);
    return this.get(r.ticket);
  }

  async #forward(report: AbuseReport, zone: Zone, skip: ReadonlySet<string> = new Set()): Promise<void> {
    const owner = await this.#dir.ownerEmail(zone.account);
    const targets: Array<{ role: 'owner' | 'hosting'; to: string | null }> = [{ role: 'owner', to: owner ?? null }];
    const hosting = zone.settings.abuse_contact;
    if (typeof hosting === 'string' && hosting !== '') targets.push({ role: 'hosting', to: hosting });
    for (const t of targets) {
      if (t.to !== null && skip.has(`${t.role}:${t.to}`)) continue;
      let ok = false;
      let detail: string;
      if (t.to === null) detail = `not forwarded: account "${zone.account}" has no email address`;
      else if (this.#smtpUrl === undefined) detail = 'forward pending: no SMTP relay configured';
      else {
        try {
          detail = `sent (${(await sendMail(this.message(report, t.role, t.to), { url: this.#smtpUrl, timeoutMs: this.#timeout })).slice(0, 200)})`;
          ok = true;
        } catch (e) {
          detail = `error: ${(e as Error).message}`.slice(0, 500);
          this.#onError(e, report.ticket);
        }
      }
      await this.#store.addForward(report.ticket, { role: t.role, to: t.to, time: this.#now(), ok, detail });
    }
  }

  /** The email sent to a recipient. */
  message(r: AbuseReport, role: 'owner' | 'hosting', to: string): SmtpMessage {
    const reporter = r.shareContact && (r.reporterName || r.reporterEmail)
      ? [r.reporterName, r.reporterEmail ? `<${r.reporterEmail}>` : null].filter(Boolean).join(' ')
      : '(not shared by the reporter)';
    const text = [
      `An abuse report about a site protected by this network was received. You get it as the site's ${role === 'owner' ? 'owner' : 'hosting provider (abuse contact)'}.`,
      'The report does not change how the site is served.',
      '',
      `Ticket:    ${r.ticket}`,
      `Received:  ${new Date(r.created).toISOString()}`,
      `Category:  ${CATEGORY_LABELS[r.category]} (${r.category})`,
      `Site:      ${r.host} (zone ${r.zone})`,
      `URL:       ${r.url ?? '(the whole site)'}`,
      `Reporter:  ${reporter}`,
      '',
      'Description:',
      r.description,
      '',
    ].join('\n');
    return {
      from: this.#from, to: [to], subject: `[Abuse report ${r.ticket}] ${CATEGORY_LABELS[r.category]}: ${r.host}`, text,
      ...(r.shareContact && r.reporterEmail ? { headers: { 'Reply-To': r.reporterEmail } } : {}),
    };
  }

  async list(filter: { zone?: string | undefined; status?: string | undefined; since?: string | undefined; limit?: string | undefined } = {}): Promise<AbuseReport[]> {
    let status: AbuseReportStatus | undefined;
    if (filter.status !== undefined) {
      if (!(ABUSE_STATUSES as readonly string[]).includes(filter.status)) throw new ApiError(400, API_CODES.validation, `status: "${filter.status}" is not one of ${ABUSE_STATUSES.join(', ')}`);
      status = filter.status as AbuseReportStatus;
    }
    let since: number | undefined;
    if (filter.since !== undefined) {
      since = Date.parse(filter.since);
      if (!Number.isFinite(since)) throw new ApiError(400, API_CODES.validation, `since: "${filter.since}" is not an ISO date`);
    }
    let limit: number | undefined;
    if (filter.limit !== undefined) {
      limit = Number(filter.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ApiError(400, API_CODES.validation, 'limit: a whole number from 1 to 1000');
    }
    const zoneId = filter.zone === undefined ? undefined : (await this.#dir.zone(filter.zone)).id;
    return this.#store.list({ ...(zoneId !== undefined ? { zoneId } : {}), ...(status ? { status } : {}), ...(since !== undefined ? { since } : {}), ...(limit !== undefined ? { limit } : {}) });
  }

  async get(ticket: string): Promise<AbuseReport> {
    const t = normaliseTicket(ticket);
    const r = t === undefined ? undefined : await this.#store.get(t);
    if (r === undefined) throw notFound(`abuse report "${ticket.slice(0, 40)}"`);
    return r;
  }

  /** The operator sets a status {status: received|forwarded|closed, note}; the note is required to close. */
  async setStatus(ticket: string, body: unknown): Promise<AbuseReport> {
    const r = await this.get(ticket);
    const b = (body ?? {}) as Record<string, unknown>;
    const status = b['status'];
    if (typeof status !== 'string' || !(ABUSE_STATUSES as readonly string[]).includes(status)) throw new ApiError(400, API_CODES.validation, `body.status: required, one of ${ABUSE_STATUSES.join(', ')}`);
    const note = b['note'] === undefined ? '' : b['note'];
    if (typeof note !== 'string' || note.length > 2000) throw new ApiError(400, API_CODES.validation, 'body.note: a string of at most 2000 characters');
    if (status === 'closed' && note.trim() === '') throw new ApiError(400, API_CODES.validation, 'body.note: required to close a report (why)');
    const next = await this.#store.setStatus(r.ticket, status as AbuseReportStatus, note.trim(), this.#now());
    if (next === undefined) throw notFound(`abuse report "${ticket}"`);
    return next;
  }
}

/** The transparency report's abuse lines for a period (2026-H2, 2026-Q3, 2026-11, 2026). */
export interface AbuseTransparency {
  readonly received: number;
  readonly forwarded: number;
  readonly by_category: Readonly<Record<AbuseCategory, number>>;
}

export async function abuseTransparency(store: AbuseReportStore, period: string): Promise<AbuseTransparency> {
  const { start, end } = parsePeriod(period);
  const c = await store.counts(start, end);
  return { received: c.received, forwarded: c.forwarded, by_category: c.byCategory };
}
