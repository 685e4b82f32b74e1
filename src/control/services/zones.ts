/**
 * Zone use cases shared by the three doors (API, CLI through the API, config file): validate, store in one
 * transaction, publish. A failed validation changes nothing.
 */
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { CacheSettingsSchema, HealthCheckSchema, OriginPoolSchema, OriginSchema, WafSettingsSchema, ZoneInputSchema, ZonePatchSchema, ZoneSchema, ZoneSettingsSchema } from '../../config/schema.ts';
import type { Origin, Zone, ZoneInput, ZonePatch } from '../../config/schema.ts';
import { ConfigConflictError } from '../../state/ports.ts';
import type { ConfigStore } from '../../state/ports.ts';
import { ApiError, API_CODES, notFound, validationError } from '../api/errors.ts';
import { LEGAL_ORDER_KIND, SuspensionReasonSchema, ZONE_REMOVAL_KIND } from '../../config/legal.ts';
import type { DenialReason, SuspensionReason, ZoneRemoval } from '../../config/legal.ts';

export const SuspendInputSchema = z.object({ reason: SuspensionReasonSchema, note: z.string().max(1000).default('') }).strict();

export const newId = (): string => randomBytes(16).toString('hex');

function normaliseOrigins(list: NonNullable<ZoneInput['origins']>): Origin[] {
  return list.map((o) => typeof o === 'string' ? OriginSchema.parse({ address: o }) : OriginSchema.parse(o));
}

export const OriginsInputSchema = z.object({
  origins: z.array(z.union([z.string(), OriginSchema])).max(64).optional(),
  health_check: HealthCheckSchema.partial().optional(),
  connect_timeout: z.number().optional(),
  response_timeout: z.number().optional(),
  host_header: z.string().optional(),
}).strict();

/** A zone's own certificate must parse, match its key, and be valid now; refused with the reason otherwise. */
function checkCertificate(c: { cert: string; key: string }, zone: Zone): void {
  let x: X509Certificate;
  try { x = new X509Certificate(c.cert); } catch (e) { throw new ApiError(400, API_CODES.validation, `certificate.cert: not a readable PEM certificate (${(e as Error).message})`); }
  let k: ReturnType<typeof createPrivateKey>;
  try { k = createPrivateKey(c.key); } catch (e) { throw new ApiError(400, API_CODES.validation, `certificate.key: not a readable PEM private key (${(e as Error).message})`); }
  if (!x.checkPrivateKey(k)) throw new ApiError(400, API_CODES.validation, 'certificate.key: does not match the certificate\'s public key');
  const now = Date.now();
  if (Date.parse(x.validTo) < now) throw new ApiError(400, API_CODES.validation, `certificate.cert: expired on ${x.validTo}`);
  if (x.checkHost(zone.name) === undefined && !zone.aliases.some((a) => x.checkHost(a.replace(/^\*\./, 'x.')) !== undefined)) {
    throw new ApiError(400, API_CODES.validation, `certificate.cert: not valid for ${zone.name} (subject ${x.subject.replace(/\n/g, ', ')}; SAN ${x.subjectAltName ?? 'none'})`);
  }
}

export class ZoneService {
  readonly #store: ConfigStore;
  readonly #publish: () => Promise<void>;
  readonly #now: () => Date;

  constructor(store: ConfigStore, publish: () => Promise<void>, now: () => Date = () => new Date()) {
    this.#store = store;
    this.#publish = publish;
    this.#now = now;
  }

  /** Build a full zone from input (validated); `base` is the zone being updated. */
  build(input: ZoneInput | ZonePatch, base: Zone | undefined, source: 'api' | 'file'): Zone {
    const now = this.#now().toISOString();
    const name = 'name' in input && input.name !== undefined ? input.name : base?.name;
    const poolIn = { ...(base?.pool ?? {}), ...(input.pool ?? {}) } as Record<string, unknown>;
    if (input.pool?.health_check) poolIn['health_check'] = { ...(base?.pool.health_check ?? {}), ...input.pool.health_check };
    if (input.origins !== undefined) poolIn['origins'] = normaliseOrigins(input.origins);
    const candidate = {
      id: base?.id ?? newId(),
      name,
      account: input.account ?? base?.account ?? 'default',
      aliases: input.aliases ?? base?.aliases ?? [],
      pool: OriginPoolSchema.parse(poolIn),
      settings: ZoneSettingsSchema.parse({ ...(base?.settings ?? {}), ...(input.settings ?? {}) }),
      waf: WafSettingsSchema.parse({ ...(base?.waf ?? {}), ...(input.waf ?? {}) }),
      cache: CacheSettingsSchema.parse({ ...(base?.cache ?? {}), ...(input.cache ?? {}) }),
      certificate: input.certificate ?? base?.certificate,
      ...(base?.suspension !== undefined ? { suspension: base.suspension } : {}),
      ...(base?.activation !== undefined ? { activation: base.activation } : {}),
      ...(base?.review !== undefined ? { review: base.review } : {}),
      source,
      created_on: base?.created_on ?? now,
      modified_on: now,
    };
    const r = ZoneSchema.safeParse(candidate);
    if (!r.success) throw validationError(r.error);
    if (input.certificate !== undefined) checkCertificate(input.certificate, r.data);
    return r.data;
  }

  async create(body: unknown, source: 'api' | 'file' = 'api'): Promise<Zone> {
    const r = ZoneInputSchema.safeParse(body);
    if (!r.success) throw validationError(r.error);
    if (r.data.account !== undefined && r.data.account !== 'default' && (await this.#store.getByName('account', r.data.account)) === undefined) {
      throw new ApiError(400, API_CODES.validation, `body.account: no account "${r.data.account}" (create it first: rampart account create ${r.data.account} --email ...)`);
    }
    const { expected_rps: rps, under_attack: attacked, scan: _scan, ...input } = r.data;
    let zone = this.build(input, undefined, source);
    if (source === 'api') {
      // onboarding: pending until the registry delegates the zone to our nameservers (ActivationService)
      zone = { ...zone, activation: { status: 'pending', checked_on: null, seen: [] } };
      // a high-traffic sign-up, or one under attack now, waits in the operator's review queue, already shielded
      if ((rps ?? 0) > this.onboarding.reviewRps || attacked === true) {
        const now = this.#now().toISOString();
        zone = {
          ...zone, settings: { ...zone.settings, security_level: 'under_attack' },
          review: { status: 'pending', expected_rps: rps ?? 0, under_attack: attacked === true, capacity_cores: Math.ceil((rps ?? 0) / this.onboarding.perCoreRps), requested_on: now, decided_by: null, decided_on: null, note: '' },
        };
      }
    }
    await this.#put(zone);
    return zone;
  }

  /** Review threshold (declared requests/s) and the per-core rate used to size the capacity a sign-up needs. */
  onboarding = { reviewRps: 5000, perCoreRps: 3000 };

  /** Store a zone as is (activation checks, review decisions). */
  async save(zone: Zone): Promise<void> { await this.#put({ ...zone, modified_on: this.#now().toISOString() }); }

  async #put(zone: Zone): Promise<void> {
    try {
      await this.#store.apply([{ op: 'put', doc: { kind: 'zone', id: zone.id, zoneId: null, name: zone.name, data: zone } }]);
    } catch (e) {
      if (e instanceof ConfigConflictError) throw new ApiError(409, API_CODES.conflict, `zone "${zone.name}" already exists`);
      throw e;
    }
    await this.#publish();
  }

  async list(filter: { name?: string | undefined; account?: string | undefined } = {}): Promise<Zone[]> {
    if (filter.name !== undefined) {
      const d = await this.#store.getByName('zone', filter.name.toLowerCase());
      const z = d?.data as Zone | undefined;
      return z && (filter.account === undefined || z.account === filter.account) ? [z] : [];
    }
    const all = (await this.#store.list('zone')).map((d) => d.data as Zone);
    return filter.account === undefined ? all : all.filter((z) => z.account === filter.account);
  }

  async get(id: string): Promise<Zone> {
    const d = (await this.#store.get('zone', id)) ?? (await this.#store.getByName('zone', id.toLowerCase()));
    if (!d) throw notFound(`zone "${id}"`);
    return d.data as Zone;
  }

  async update(id: string, body: unknown): Promise<Zone> {
    const base = await this.get(id);
    const r = ZonePatchSchema.safeParse(body);
    if (!r.success) throw validationError(r.error);
    // a partial schema still fills in nested defaults: keep, in each nested section, only the keys that were sent
    const raw = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const patch = { ...r.data } as Record<string, unknown>;
    for (const k of ['settings', 'waf', 'cache'] as const) {
      const sent = raw[k];
      if (patch[k] !== undefined && sent !== null && typeof sent === 'object') {
        const keys = new Set(Object.keys(sent));
        patch[k] = Object.fromEntries(Object.entries(patch[k] as Record<string, unknown>).filter(([x]) => keys.has(x)));
      }
    }
    const zone = this.build(patch as typeof r.data, base, base.source);
    await this.#put(zone);
    return zone;
  }

  async setOrigins(id: string, body: unknown): Promise<Zone> {
    const r = OriginsInputSchema.safeParse(body);
    if (!r.success) throw validationError(r.error);
    const { origins, ...pool } = r.data;
    return this.update(id, { ...(origins !== undefined ? { origins } : {}), pool });
  }

  async updateSettings(id: string, body: unknown): Promise<Zone> {
    const r = ZoneSettingsSchema.partial().strict().safeParse(body);
    if (!r.success) throw validationError(r.error);
    // zod fills the defaults of keys that were not sent, even in a partial: keep only what the caller sent,
    // so that PATCH {security_level} does not reset every other setting
    const sent = new Set(Object.keys(body !== null && typeof body === 'object' ? body : {}));
    const only = Object.fromEntries(Object.entries(r.data).filter(([k]) => sent.has(k)));
    return this.update(id, { settings: only });
  }

  /** Stop serving a zone for one of the fixed operational reasons (never for its content: that takes a legal order). */
  async suspend(id: string, body: unknown, by: string): Promise<Zone> {
    const r = SuspendInputSchema.safeParse(body ?? {});
    if (!r.success) throw validationError(r.error);
    const base = await this.get(id);
    const zone: Zone = { ...base, suspension: { reason: r.data.reason, note: r.data.note, since: this.#now().toISOString(), by }, modified_on: this.#now().toISOString() };
    await this.#put(zone);
    return zone;
  }

  async unsuspend(id: string): Promise<Zone> {
    const base = await this.get(id);
    if (base.suspension === undefined) throw new ApiError(409, API_CODES.conflict, `zone "${base.name}" is not suspended`);
    const { suspension: _gone, ...rest } = base;
    const zone: Zone = { ...rest, modified_on: this.#now().toISOString() };
    await this.#put(zone);
    return zone;
  }

  /** Remove a zone; `reason` is one of the fixed operational reasons and is kept for the transparency report. */
  async delete(id: string, removal: { reason: SuspensionReason | 'signup_denied'; denial?: DenialReason; note?: string; by: string } = { reason: 'account_request', by: 'unknown' }): Promise<{ id: string }> {
    const z = await this.get(id);
    // with it go the certificates generated for its names
    const certs = [z.name, ...z.aliases].map((n) => ({ op: 'delete' as const, kind: 'cert', id: n }));
    const rec: ZoneRemoval = { id: newId(), zone: z.name, reason: removal.reason, note: removal.note ?? '', at: this.#now().toISOString(), by: removal.by, ...(removal.denial ? { denial: removal.denial } : {}) };
    // legal orders outlive the zone: they are the record the transparency report counts (the edge ignores them)
    const owned = (await this.#store.list(undefined, z.id)).filter((d) => d.kind !== LEGAL_ORDER_KIND).map((d) => ({ op: 'delete' as const, kind: d.kind, id: d.id }));
    await this.#store.apply([...owned, ...certs, { op: 'delete', kind: 'zone', id: z.id },
      { op: 'put', doc: { kind: ZONE_REMOVAL_KIND, id: rec.id, zoneId: null, name: null, data: rec } }]);
    await this.#publish();
    return { id: z.id };
  }

  /**
   * Make the stored file-sourced zones match the config file: upsert every zone it lists, delete file zones it
   * no longer lists. API-made zones are left alone; a file zone whose name an API zone holds is an error.
   */
  async syncFromFile(inputs: ReadonlyArray<ZoneInput & { dns_records?: unknown }>): Promise<{ added: number; updated: number; removed: number }> {
    const existing = new Map((await this.#store.list('zone')).map((d) => [(d.data as Zone).name, d.data as Zone]));
    const ops: Array<Parameters<ConfigStore['apply']>[0][number]> = [];
    const names = new Set<string>();
    let added = 0; let updated = 0; let removed = 0;
    for (const input of inputs) {
      names.add(input.name);
      const base = existing.get(input.name);
      if (base && base.source !== 'file') throw new ApiError(409, API_CODES.conflict, `zone "${input.name}" in the config file already exists as an API-managed zone`);
      const zone = this.build(input, base ? { ...base, pool: OriginPoolSchema.parse({}), settings: ZoneSettingsSchema.parse({}), waf: WafSettingsSchema.parse({}), cache: CacheSettingsSchema.parse({}), aliases: [] } : undefined, 'file');
      if (base && JSON.stringify({ ...base, modified_on: '' }) === JSON.stringify({ ...zone, modified_on: '' })) continue;
      if (base) updated++; else added++;
      ops.push({ op: 'put', doc: { kind: 'zone', id: zone.id, zoneId: null, name: zone.name, data: zone } });
    }
    for (const z of existing.values()) {
      if (z.source === 'file' && !names.has(z.name)) {
        removed++;
        // the operator's own config file no longer lists it: the zone's owner (the operator) withdrew it
        const rec: ZoneRemoval = { id: newId(), zone: z.name, reason: 'account_request', note: 'removed from the config file', at: this.#now().toISOString(), by: 'config file' };
        ops.push({ op: 'deleteOwned', zoneId: z.id }, { op: 'delete', kind: 'zone', id: z.id }, { op: 'put', doc: { kind: ZONE_REMOVAL_KIND, id: rec.id, zoneId: null, name: null, data: rec } });
      }
    }
    if (ops.length) { await this.#store.apply(ops); await this.#publish(); }
    return { added, updated, removed };
  }
}
