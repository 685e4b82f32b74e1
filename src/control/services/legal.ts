/**
 * Legal orders: recorded with the issuing court or authority, case number, date, jurisdiction, the document
 * (bytes kept in the data folder under its SHA-256), scope (whole zone, hostnames, path prefixes), optional geo
 * scope and expiry. Stored as zone-owned config docs (kind 'legal_order') so the edge's legal phase gets them in
 * the snapshot. Lifting keeps the record (status lifted, reason, time). Also: the transparency report.
 */
import { mkdirSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { AbuseReportStore, ConfigStore } from '../../state/ports.ts';
import { abuseTransparency } from './abuse.ts';
import type { AbuseTransparency } from './abuse.ts';
import { ApiError, API_CODES, notFound, validationError } from '../api/errors.ts';
import type { ZoneService } from './zones.ts';
import { newId } from './zones.ts';
import { sha256Hex } from './audit.ts';
import { DATA_REQUEST_KIND, DataRequestInputSchema, LEGAL_ORDER_KIND, LegalOrderSchema, orderInForce, SUSPENSION_REASONS, ZONE_REMOVAL_KIND } from '../../config/legal.ts';
import type { DataRequest, LegalOrder, ZoneRemoval } from '../../config/legal.ts';

export { LEGAL_ORDER_KIND, LegalOrderSchema };
export type { LegalOrder };

const REQUIRED = ['zone', 'court', 'case', 'date', 'jurisdiction', 'document_base64'] as const;
const ALLOWED = new Set<string>([...REQUIRED, 'document_name', 'hostnames', 'paths', 'geo', 'expires']);
const MAX_DOC = 6 * 1024 * 1024;

function list(v: unknown): unknown {
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  return v;
}

/** The public part of an order (no document bytes, nothing personal): what notices and reports show. */
export interface PublicNotice {
  readonly id: string; readonly zone: string; readonly court: string; readonly case: string; readonly date: string;
  readonly jurisdiction: readonly string[]; readonly scope: { readonly hostnames: readonly string[]; readonly paths: readonly string[]; readonly geo: boolean };
  readonly status: string; readonly in_force: boolean; readonly expires: string | null; readonly lifted_at: string | null; readonly lift_reason: string | null;
  readonly document_sha256: string;
}

export function publicNotice(o: LegalOrder, now: number): PublicNotice {
  return {
    id: o.id, zone: o.zone, court: o.court, case: o.case, date: o.date, jurisdiction: o.jurisdiction,
    scope: { hostnames: o.hostnames, paths: o.paths, geo: o.geo }, status: o.status, in_force: orderInForce(o, now),
    expires: o.expires, lifted_at: o.lifted_at, lift_reason: o.lift_reason, document_sha256: o.document.sha256,
  };
}

/** A reporting period: 2026, 2026-H1|H2, 2026-Q1..Q4, 2026-MM. Start inclusive, end exclusive (ms). */
export function parsePeriod(p: string): { start: number; end: number } {
  let m = /^(\d{4})$/.exec(p);
  if (m) { const y = Number(m[1]); return { start: Date.UTC(y, 0, 1), end: Date.UTC(y + 1, 0, 1) }; }
  m = /^(\d{4})-H([12])$/.exec(p);
  if (m) { const y = Number(m[1]); const h = Number(m[2]) - 1; return { start: Date.UTC(y, h * 6, 1), end: Date.UTC(y, h * 6 + 6, 1) }; }
  m = /^(\d{4})-Q([1-4])$/.exec(p);
  if (m) { const y = Number(m[1]); const q = Number(m[2]) - 1; return { start: Date.UTC(y, q * 3, 1), end: Date.UTC(y, q * 3 + 3, 1) }; }
  m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(p);
  if (m) { const y = Number(m[1]); const mo = Number(m[2]) - 1; return { start: Date.UTC(y, mo, 1), end: Date.UTC(y, mo + 1, 1) }; }
  throw new ApiError(400, API_CODES.validation, `period: "${p}" is not a period (2026, 2026-H2, 2026-Q3 or 2026-11)`);
}

export interface TransparencyReport {
  readonly period: string;
  readonly from: string;
  readonly to: string;
  readonly orders: {
    readonly received: number; readonly in_force: number; readonly lifted: number;
    /** Every recorded order is applied: complied with = received. Contested: the operator objects (still applied). */
    readonly complied_with: number; readonly contested: number;
    readonly by_jurisdiction: Record<string, { received: number; in_force: number; lifted: number }>;
    readonly by_authority: Record<string, { received: number; in_force: number; lifted: number }>;
  };
  readonly zones_affected: readonly string[];
  readonly notices: readonly PublicNotice[];
  /** Zones suspended or removed for the fixed operational reasons (never content), and those suspended now. */
  /** Abuse reports received and forwarded in the period. */
  readonly abuse_reports?: AbuseTransparency;
  /** Requests for user data received in the period, by outcome (disclosed, refused, ...) and jurisdiction. */
  readonly data_requests?: { received: number; by_outcome: Record<string, number>; by_jurisdiction: Record<string, number> };
  readonly suspensions?: { suspended_by_reason: Record<string, number>; removed_by_reason: Record<string, number>; suspended_now: string[]; reasons: Record<string, string> };
}

/** Counts per period (orders received, in force at the period's end or now, lifted) and the public notices. */
export function transparencyReport(orders: readonly LegalOrder[], period: string, now: number): TransparencyReport {
  const { start, end } = parsePeriod(period);
  const at = Math.min(end - 1, now);
  const byJ: Record<string, { received: number; in_force: number; lifted: number }> = {};
  const byA: Record<string, { received: number; in_force: number; lifted: number }> = {};
  let received = 0, inForce = 0, lifted = 0, contested = 0;
  const notices: PublicNotice[] = [];
  const zones = new Set<string>();
  for (const o of orders) {
    const rec = Date.parse(o.received_at);
    const liftedAt = o.lifted_at === null ? undefined : Date.parse(o.lifted_at);
    const isReceived = rec >= start && rec < end;
    const isLifted = liftedAt !== undefined && liftedAt >= start && liftedAt < end;
    const wasInForce = rec < end && (liftedAt === undefined || liftedAt > at) && orderInForce({ ...o, status: 'in_force' }, at) && rec <= at;
    if (!isReceived && !isLifted && !wasInForce) continue;
    const bump = (m: Record<string, { received: number; in_force: number; lifted: number }>, k: string): void => {
      const c = (m[k] ??= { received: 0, in_force: 0, lifted: 0 });
      if (isReceived) c.received++;
      if (wasInForce) c.in_force++;
      if (isLifted) c.lifted++;
    };
    for (const j of o.jurisdiction) bump(byJ, j);
    bump(byA, o.court);
    if (isReceived) received++;
    if (o.contested && Date.parse(o.contested.since) >= start && Date.parse(o.contested.since) < end) contested++;
    if (wasInForce) inForce++;
    if (isLifted) lifted++;
    zones.add(o.zone);
    notices.push(publicNotice(o, now));
  }
  notices.sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id));
  return {
    period, from: new Date(start).toISOString(), to: new Date(end).toISOString(),
    orders: { received, complied_with: received, contested, in_force: inForce, lifted, by_jurisdiction: byJ, by_authority: byA },
    zones_affected: [...zones].sort(), notices,
  };
}

export class LegalService {
  /** Set by main.ts: where abuse reports are (for the transparency report). */
  abuseReports: AbuseReportStore | undefined;
  readonly #store: ConfigStore;
  readonly #zones: ZoneService;
  readonly #publish: () => Promise<void>;
  readonly #docDir: string;
  readonly #now: () => Date;

  constructor(store: ConfigStore, zones: ZoneService, publish: () => Promise<void>, docDir: string, now: () => Date = () => new Date()) {
    this.#store = store;
    this.#zones = zones;
    this.#publish = publish;
    this.#docDir = docDir;
    this.#now = now;
  }

  /** Validate an API body into an order (without storing): required fields named, scope checked. */
  async build(raw: unknown): Promise<{ order: LegalOrder; bytes: Buffer }> {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ApiError(400, API_CODES.validation, 'body: expected a JSON object');
    const b = raw as Record<string, unknown>;
    for (const k of Object.keys(b)) if (!ALLOWED.has(k)) throw new ApiError(400, API_CODES.validation, `body.${k}: unknown field (allowed: ${[...ALLOWED].join(', ')})`);
    const missing = REQUIRED.filter((k) => b[k] === undefined || b[k] === null || b[k] === '' || (Array.isArray(b[k]) && (b[k] as unknown[]).length === 0));
    if (missing.length) throw new ApiError(400, API_CODES.validation, `body: missing required field${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`, missing.map((m) => ({ code: API_CODES.validation, message: `body.${m}: required`, path: m })));
    if (typeof b['document_base64'] !== 'string' || !/^[A-Za-z0-9+/=\s]*$/.test(b['document_base64'])) throw new ApiError(400, API_CODES.validation, 'body.document_base64: expected the document as base64');
    const bytes = Buffer.from(b['document_base64'], 'base64');
    if (bytes.length === 0) throw new ApiError(400, API_CODES.validation, 'body.document_base64: the document is empty');
    if (bytes.length > MAX_DOC) throw new ApiError(400, API_CODES.validation, `body.document_base64: the document is larger than ${MAX_DOC} bytes`);
    if (typeof b['zone'] !== 'string') throw new ApiError(400, API_CODES.validation, 'body.zone: expected a zone name or id');
    const zone = await this.#zones.get(b['zone']);
    const jur = list(b['jurisdiction']);
    const candidate = {
      id: newId(), zone_id: zone.id, zone: zone.name, court: b['court'], case: b['case'], date: b['date'],
      jurisdiction: Array.isArray(jur) ? jur.map((j) => (typeof j === 'string' ? j.trim().toUpperCase() : j)) : jur,
      document: { name: typeof b['document_name'] === 'string' ? b['document_name'].slice(0, 200) : 'document', sha256: sha256Hex(bytes), size: bytes.length },
      hostnames: (list(b['hostnames']) as unknown[] | undefined)?.map((h) => (typeof h === 'string' ? h.toLowerCase() : h)) ?? [],
      paths: list(b['paths']) ?? [], geo: b['geo'] ?? false, expires: b['expires'] ?? null,
      status: 'in_force', received_at: this.#now().toISOString(), lifted_at: null, lift_reason: null,
    };
    const r = LegalOrderSchema.safeParse(candidate);
    if (!r.success) throw validationError(r.error);
    const o = r.data;
    const names = [zone.name, ...zone.aliases].map((n) => n.toLowerCase().replace(/^\*\./, ''));
    for (const h of o.hostnames) {
      if (!names.some((n) => h === n || h.endsWith('.' + n))) throw new ApiError(400, API_CODES.validation, `body.hostnames: "${h}" is not in zone ${zone.name}`);
    }
    return { order: o, bytes };
  }

  async create(raw: unknown): Promise<LegalOrder> {
    const { order, bytes } = await this.build(raw);
    mkdirSync(this.#docDir, { recursive: true, mode: 0o700 });
    const f = join(this.#docDir, order.document.sha256);
    if (!existsSync(f)) { writeFileSync(f + '.tmp', bytes, { mode: 0o600 }); renameSync(f + '.tmp', f); }
    await this.#store.apply([{ op: 'put', doc: { kind: LEGAL_ORDER_KIND, id: order.id, zoneId: order.zone_id, name: null, data: order } }]);
    await this.#publish();
    return order;
  }

  async list(filter: { zone?: string } = {}): Promise<LegalOrder[]> {
    const zoneId = filter.zone === undefined ? undefined : (await this.#zones.get(filter.zone)).id;
    return (await this.#store.list(LEGAL_ORDER_KIND, zoneId)).map((d) => d.data as LegalOrder).sort((a, b) => a.received_at.localeCompare(b.received_at));
  }

  async get(id: string): Promise<LegalOrder> {
    const d = await this.#store.get(LEGAL_ORDER_KIND, id);
    if (!d) throw notFound(`legal order "${id}"`);
    return d.data as LegalOrder;
  }

  async lift(id: string, body: unknown): Promise<LegalOrder> {
    const o = await this.get(id);
    const reason = (body as Record<string, unknown> | undefined)?.['reason'];
    if (typeof reason !== 'string' || reason.trim() === '') throw new ApiError(400, API_CODES.validation, 'body.reason: required (why the order is lifted)');
    if (o.status === 'lifted') throw new ApiError(409, API_CODES.conflict, `legal order "${id}" was already lifted on ${o.lifted_at ?? '?'}`);
    const lifted: LegalOrder = { ...o, status: 'lifted', lifted_at: this.#now().toISOString(), lift_reason: reason.trim().slice(0, 2000) };
    await this.#store.apply([{ op: 'put', doc: { kind: LEGAL_ORDER_KIND, id, zoneId: o.zone_id, name: null, data: lifted } }]);
    await this.#publish();
    return lifted;
  }

  /** Record that the operator contests an order (it stays in force: complied with while contested). */
  async contest(id: string, body: unknown): Promise<LegalOrder> {
    const o = await this.get(id);
    const note = (body as Record<string, unknown> | undefined)?.['note'];
    if (typeof note !== 'string' || note.trim() === '') throw new ApiError(400, API_CODES.validation, 'body.note: required (how the order is contested: court, appeal, date)');
    if (o.contested) throw new ApiError(409, API_CODES.conflict, `legal order "${id}" is already contested since ${o.contested.since}`);
    const c: LegalOrder = { ...o, contested: { since: this.#now().toISOString(), note: note.trim().slice(0, 2000) } };
    await this.#store.apply([{ op: 'put', doc: { kind: LEGAL_ORDER_KIND, id, zoneId: o.zone_id, name: null, data: c } }]);
    await this.#publish();
    return c;
  }

  async report(period: string): Promise<TransparencyReport> {
    const base = transparencyReport(await this.list(), period, this.#now().getTime());
    return { ...base, suspensions: await this.#suspensions(period), data_requests: await this.#dataRequestCounts(period),
      ...(this.abuseReports ? { abuse_reports: await abuseTransparency(this.abuseReports, period) } : {}) };
  }

  /** Record a request for user data (authority, date, jurisdiction, what was answered). */
  async createDataRequest(body: unknown): Promise<DataRequest> {
    const r = DataRequestInputSchema.safeParse(body ?? {});
    if (!r.success) throw validationError(r.error);
    const now = this.#now().toISOString();
    const d: DataRequest = { ...r.data, id: newId(), received_at: now, answered_at: r.data.outcome === 'pending' ? null : now };
    await this.#store.apply([{ op: 'put', doc: { kind: DATA_REQUEST_KIND, id: d.id, zoneId: null, name: null, data: d } }]);
    await this.#publish();
    return d;
  }

  async listDataRequests(): Promise<DataRequest[]> {
    return (await this.#store.list(DATA_REQUEST_KIND)).map((d) => d.data as DataRequest);
  }

  /** Record the answer given ({outcome, note}). */
  async answerDataRequest(id: string, body: unknown): Promise<DataRequest> {
    const cur = await this.#store.get(DATA_REQUEST_KIND, id);
    if (!cur) throw notFound(`data request ${id}`);
    const r = DataRequestInputSchema.pick({ outcome: true, note: true }).partial().strict().safeParse(body ?? {});
    if (!r.success) throw validationError(r.error);
    const prev = cur.data as DataRequest;
    const outcome = r.data.outcome ?? prev.outcome;
    const d: DataRequest = { ...prev, outcome, note: r.data.note ?? prev.note, answered_at: outcome === 'pending' ? null : prev.answered_at ?? this.#now().toISOString() };
    await this.#store.apply([{ op: 'put', doc: { kind: DATA_REQUEST_KIND, id, zoneId: null, name: null, data: d } }]);
    await this.#publish();
    return d;
  }

  async #dataRequestCounts(period: string): Promise<NonNullable<TransparencyReport['data_requests']>> {
    const { start, end } = parsePeriod(period);
    const byOutcome: Record<string, number> = {};
    const byJurisdiction: Record<string, number> = {};
    let received = 0;
    for (const d of await this.listDataRequests()) {
      const t = Date.parse(d.received_at);
      if (t < start || t >= end) continue;
      received++;
      byOutcome[d.outcome] = (byOutcome[d.outcome] ?? 0) + 1;
      for (const j of d.jurisdiction) byJurisdiction[j] = (byJurisdiction[j] ?? 0) + 1;
    }
    return { received, by_outcome: byOutcome, by_jurisdiction: byJurisdiction };
  }

  /** Zones suspended or removed in the period, by fixed operational reason (issue 9: the only other way). */
  async #suspensions(period: string): Promise<NonNullable<TransparencyReport['suspensions']>> {
    const { start, end } = parsePeriod(period);
    const inPeriod = (iso: string): boolean => { const t = Date.parse(iso); return t >= start && t < end; };
    const suspended: Record<string, number> = {};
    const removed: Record<string, number> = {};
    const current: string[] = [];
    for (const d of await this.#store.list('zone')) {
      const z = d.data as { name: string; suspension?: { reason: string; since: string } };
      if (z.suspension === undefined) continue;
      current.push(z.name);
      if (inPeriod(z.suspension.since)) suspended[z.suspension.reason] = (suspended[z.suspension.reason] ?? 0) + 1;
    }
    for (const d of await this.#store.list(ZONE_REMOVAL_KIND)) {
      const r = d.data as ZoneRemoval;
      if (inPeriod(r.at)) removed[r.reason] = (removed[r.reason] ?? 0) + 1;
    }
    return { suspended_by_reason: suspended, removed_by_reason: removed, suspended_now: current.sort(), reasons: { ...SUSPENSION_REASONS } };
  }

  now(): number { return this.#now().getTime(); }
}
