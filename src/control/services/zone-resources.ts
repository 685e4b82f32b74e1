/**
 * Objects owned by a zone (custom rules, rate-limiting rules, access rules, ...): one generic service that
 * validates with the kind's schema plus a semantic check (expressions compile), stores in one transaction with
 * the zone as owner, and publishes.
 */
import { z } from 'zod';
import type { ConfigStore } from '../../state/ports.ts';
import { ApiError, API_CODES, notFound, validationError } from '../api/errors.ts';
import type { ZoneService } from './zones.ts';
import { newId } from './zones.ts';

export interface ResourceKind<T extends { id: string }> {
  /** Stored document kind. */
  readonly kind: string;
  /** Human name for messages ("rule", "rate limit"). */
  readonly noun: string;
  readonly schema: z.ZodType<T>;
  /** Turn an API body (Cloudflare shapes accepted) into the stored shape, before validation. */
  readonly normalise?: (body: Record<string, unknown>) => Record<string, unknown>;
  /** Semantic validation (compile expressions); return an error message naming the field, or undefined. */
  readonly check?: (value: T) => string | undefined;
  /** Validation of the zone's whole set after a change (e.g. DNS: CNAME conflicts); the problems found. */
  readonly checkSet?: (values: readonly T[], zoneName: string) => string[];
}

export class ZoneResourceService<T extends { id: string }> {
  readonly #store: ConfigStore;
  readonly #zones: ZoneService;
  readonly #publish: () => Promise<void>;
  readonly k: ResourceKind<T>;

  constructor(k: ResourceKind<T>, store: ConfigStore, zones: ZoneService, publish: () => Promise<void>) {
    this.k = k;
    this.#store = store;
    this.#zones = zones;
    this.#publish = publish;
  }

  #validate(raw: unknown, id: string, where: string): T {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ApiError(400, API_CODES.validation, `${where}: expected a JSON object`);
    const body = this.k.normalise ? this.k.normalise(raw as Record<string, unknown>) : (raw as Record<string, unknown>);
    const r = this.k.schema.safeParse({ ...body, id });
    if (!r.success) throw validationError(r.error, where);
    const problem = this.k.check?.(r.data);
    if (problem !== undefined) throw new ApiError(400, API_CODES.validation, `${where}.${problem}`);
    return r.data;
  }

  async list(zoneRef: string): Promise<T[]> {
    const zone = await this.#zones.get(zoneRef);
    return (await this.#store.list(this.k.kind, zone.id)).map((d) => d.data as T);
  }

  async get(zoneRef: string, id: string): Promise<T> {
    const zone = await this.#zones.get(zoneRef);
    const d = await this.#store.get(this.k.kind, id);
    if (!d || d.zoneId !== zone.id) throw notFound(`${this.k.noun} "${id}" in zone ${zone.name}`);
    return d.data as T;
  }

  /** Create one, or several from an array (all or none). */
  async create(zoneRef: string, body: unknown): Promise<T | T[]> {
    const zone = await this.#zones.get(zoneRef);
    const many = Array.isArray(body);
    const items = (many ? body : [body]) as unknown[];
    if (items.length === 0) throw new ApiError(400, API_CODES.validation, 'body: expected at least one item');
    const values = items.map((b, i) => this.#validate(b, newId(), many ? `body[${i}]` : 'body'));
    await this.#checkSet(zone.id, zone.name, values, []);
    await this.#store.apply(values.map((v) => ({ op: 'put' as const, doc: { kind: this.k.kind, id: v.id, zoneId: zone.id, name: null, data: v } })));
    await this.#publish();
    return many ? values : values[0]!;
  }

  async update(zoneRef: string, id: string, body: unknown, replace: boolean): Promise<T> {
    const current = await this.get(zoneRef, id);
    const zone = await this.#zones.get(zoneRef);
    const merged = replace ? body : { ...(current as Record<string, unknown>), ...(body as Record<string, unknown>) };
    const v = this.#validate(merged, id, 'body');
    await this.#checkSet(zone.id, zone.name, [v], [id]);
    await this.#store.apply([{ op: 'put', doc: { kind: this.k.kind, id, zoneId: zone.id, name: null, data: v } }]);
    await this.#publish();
    return v;
  }

  async #checkSet(zoneId: string, zoneName: string, added: readonly T[], replaced: readonly string[]): Promise<void> {
    if (this.k.checkSet === undefined) return;
    const existing = (await this.#store.list(this.k.kind, zoneId)).map((d) => d.data as T).filter((v) => !replaced.includes(v.id));
    const problems = this.k.checkSet([...existing, ...added], zoneName);
    if (problems.length) throw new ApiError(400, API_CODES.validation, `body: ${problems.join('; ')}`);
  }

  /** Add many at once (an import): validated together, stored in one transaction. */
  async importMany(zoneRef: string, items: readonly unknown[], replaceAll: boolean): Promise<T[]> {
    const zone = await this.#zones.get(zoneRef);
    const values = items.map((b, i) => this.#validate(b, newId(), `records[${i}]`));
    const existing = replaceAll ? [] : (await this.#store.list(this.k.kind, zone.id)).map((d) => d.data as T);
    const problems = this.k.checkSet?.([...existing, ...values], zone.name) ?? [];
    if (problems.length) throw new ApiError(400, API_CODES.validation, problems.join('; '));
    const old = replaceAll ? (await this.#store.list(this.k.kind, zone.id)).map((d) => ({ op: 'delete' as const, kind: this.k.kind, id: d.id })) : [];
    await this.#store.apply([...old, ...values.map((v) => ({ op: 'put' as const, doc: { kind: this.k.kind, id: v.id, zoneId: zone.id, name: null, data: v } }))]);
    await this.#publish();
    return values;
  }

  async delete(zoneRef: string, id: string): Promise<{ id: string }> {
    await this.get(zoneRef, id);
    await this.#store.apply([{ op: 'delete', kind: this.k.kind, id }]);
    await this.#publish();
    return { id };
  }
}
