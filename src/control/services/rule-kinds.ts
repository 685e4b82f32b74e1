/**
 * The rule kinds of the Rules language on the control plane: zone-owned custom firewall rules, rate-limiting rules
 * and access rules (generic ZoneResourceService kinds), and the account-owned objects: named lists (Cloudflare's
 * Lists) and account-level firewall rules. Expressions are checked with the owning account's lists, so naming an
 * unknown list is refused with the language's error (line, column, caret, "did you mean").
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  AccessRuleSchema, CustomRuleSchema, RateLimitRuleSchema, compileRateLimitRule, validateExpression, RuleError,
  RULE_LIST_KIND, ACCOUNT_FIREWALL_RULE_KIND, ACCOUNT_ACCESS_RULE_KIND, MAX_LIST_ITEMS, ListInputSchema, ListItemInputSchema, normaliseItem,
  listResolver, listsMentioned,
} from '../../rules/index.ts';
import type { AccessRule, CustomRule, RateLimitRule, ListResolver, StoredList, StoredListItem } from '../../rules/index.ts';
import { ConfigConflictError } from '../../state/ports.ts';
import type { ConfigDoc, ConfigStore } from '../../state/ports.ts';
import { ApiError, API_CODES, notFound, validationError } from '../api/errors.ts';
import { ZoneResourceService } from './zone-resources.ts';
import type { ResourceKind } from './zone-resources.ts';
import type { ZoneService } from './zones.ts';
import { newId } from './zones.ts';
import type { AccountService } from './accounts.ts';

/** The lists of the account whose object is being validated (set around a write by the services below). */
const listScope = new AsyncLocalStorage<ListResolver>();

function exprProblem(field: string, src: string | undefined, lists: ListResolver | undefined = listScope.getStore()): string | undefined {
  if (src === undefined) return undefined;
  const v = validateExpression(src, { lists });
  return v.ok ? undefined : `${field}: ${v.error.message}\n${v.error.formatted.split('\n').slice(1).join('\n')}`;
}

export const FIREWALL_RULES: ResourceKind<CustomRule> = {
  kind: 'firewall_rule',
  noun: 'rule',
  schema: CustomRuleSchema,
  // Cloudflare's legacy firewall rules nest the expression in `filter`
  normalise: (b) => {
    const f = b['filter'] as { expression?: unknown } | undefined;
    if (f && typeof f === 'object' && b['expression'] === undefined) { const { filter: _f, ...rest } = b; return { ...rest, expression: f.expression }; }
    return b;
  },
  check: (r) => exprProblem('expression', r.expression),
};

export const RATE_LIMIT_RULES: ResourceKind<RateLimitRule> = {
  kind: 'ratelimit_rule',
  noun: 'rate limit',
  schema: RateLimitRuleSchema,
  check: (r) => {
    const p = exprProblem('expression', r.expression) ?? exprProblem('counting_expression', r.counting_expression);
    if (p !== undefined) return p;
    try { compileRateLimitRule(r, { lists: listScope.getStore() }); } catch (e) { if (e instanceof RuleError) return `characteristics: ${e.message}`; throw e; }
    return undefined;
  },
};

export const ACCESS_RULES: ResourceKind<AccessRule> = {
  kind: 'access_rule',
  noun: 'access rule',
  schema: AccessRuleSchema,
  // Cloudflare shape: { mode, configuration: { target, value }, notes }
  normalise: (b) => {
    const c = b['configuration'] as { target?: unknown; value?: unknown } | undefined;
    if (c && typeof c === 'object') { const { configuration: _c, ...rest } = b; return { ...rest, target: c.target === 'ip_range' ? 'cidr' : c.target, value: c.value }; }
    return b;
  },
};

async function storedLists(store: ConfigStore, account: string): Promise<StoredList[]> {
  return (await store.list(RULE_LIST_KIND)).map((d) => d.data as StoredList).filter((l) => l.account === account);
}

/**
 * A ZoneResourceService whose expression checks see the zone's account lists (`$office_ips`). Use it for
 * FIREWALL_RULES and RATE_LIMIT_RULES in place of ZoneResourceService.
 */
export class ListAwareResourceService<T extends { id: string }> extends ZoneResourceService<T> {
  readonly #store: ConfigStore;
  readonly #zonesSvc: ZoneService;

  constructor(k: ResourceKind<T>, store: ConfigStore, zones: ZoneService, publish: () => Promise<void>) {
    super(k, store, zones, publish);
    this.#store = store;
    this.#zonesSvc = zones;
  }

  async #withLists<R>(zoneRef: string, f: () => Promise<R>): Promise<R> {
    const zone = await this.#zonesSvc.get(zoneRef);
    const lists = listResolver(await storedLists(this.#store, zone.account));
    return listScope.run(lists, f);
  }

  override create(zoneRef: string, body: unknown): Promise<T | T[]> { return this.#withLists(zoneRef, () => super.create(zoneRef, body)); }
  override update(zoneRef: string, id: string, body: unknown, replace: boolean): Promise<T> { return this.#withLists(zoneRef, () => super.update(zoneRef, id, body, replace)); }
  override importMany(zoneRef: string, items: readonly unknown[], replaceAll: boolean): Promise<T[]> { return this.#withLists(zoneRef, () => super.importMany(zoneRef, items, replaceAll)); }
}

/** An account reference (id or name) to the account name zones carry; `default` is the implicit account. */
async function accountName(accounts: AccountService, ref: string): Promise<string> {
  try { return (await accounts.get(ref)).name; } catch (e) {
    if (ref === 'default') return 'default';
    throw e;
  }
}

/** A list as the API shows it (Cloudflare's shape: items are fetched separately). */
export interface ListSummary {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly description: string;
  readonly num_items: number;
  readonly num_referencing_filters: number;
  readonly created_on: string;
  readonly modified_on: string;
}

/** Named lists of an account: `$name` in any expression of the account's zones and account rules. */
export class ListService {
  readonly #store: ConfigStore;
  readonly #accounts: AccountService;
  readonly #publish: () => Promise<void>;
  readonly #now: () => Date;

  constructor(store: ConfigStore, accounts: AccountService, publish: () => Promise<void>, now: () => Date = () => new Date()) {
    this.#store = store;
    this.#accounts = accounts;
    this.#publish = publish;
    this.#now = now;
  }

  /** The account's name; a scoped token must belong to it (`write` also needs an account-wide token). */
  async account(ref: string, scope?: { account: string; zones: unknown }, write = false): Promise<string> {
    const name = await accountName(this.#accounts, ref);
    if (scope !== undefined && scope.account !== name) throw new ApiError(403, API_CODES.forbidden, 'this token does not cover that account');
    if (scope !== undefined && write && scope.zones !== 'account') throw new ApiError(403, API_CODES.forbidden, 'changing account lists needs a token for the whole account');
    return name;
  }

  async #doc(account: string, id: string): Promise<StoredList> {
    const d = await this.#store.get(RULE_LIST_KIND, id);
    const l = d?.data as StoredList | undefined;
    if (!l || l.account !== account) throw notFound(`list "${id}"`);
    return l;
  }

  /** Expressions (zone rules, rate limits, account rules) of the account that name a list. */
  async #references(account: string, name: string): Promise<string[]> {
    const zoneIds = new Set((await this.#store.list('zone')).filter((d) => (d.data as { account?: string }).account === account).map((d) => d.id));
    const out: string[] = [];
    const scan = (d: ConfigDoc, texts: unknown[]): void => {
      for (const t of texts) if (typeof t === 'string' && listsMentioned(t).has(name)) { out.push(`${d.kind} ${d.id}`); return; }
    };
    for (const kind of ['firewall_rule', 'ratelimit_rule']) {
      for (const d of await this.#store.list(kind)) {
        if (d.zoneId === null || !zoneIds.has(d.zoneId)) continue;
        const r = d.data as { expression?: unknown; counting_expression?: unknown };
        scan(d, [r.expression, r.counting_expression]);
      }
    }
    for (const d of await this.#store.list(ACCOUNT_FIREWALL_RULE_KIND)) {
      const r = d.data as { account?: unknown; expression?: unknown };
      if (r.account === account) scan(d, [r.expression]);
    }
    return out;
  }

  async #summary(l: StoredList): Promise<ListSummary> {
    return {
      id: l.id, name: l.name, kind: l.kind, description: l.description, num_items: l.items.length,
      num_referencing_filters: (await this.#references(l.account, l.name)).length, created_on: l.created_on, modified_on: l.modified_on,
    };
  }

  async list(account: string): Promise<ListSummary[]> {
    const out: ListSummary[] = [];
    for (const l of await storedLists(this.#store, account)) out.push(await this.#summary(l));
    return out;
  }

  async get(account: string, id: string): Promise<ListSummary> { return this.#summary(await this.#doc(account, id)); }

  async create(account: string, body: unknown): Promise<ListSummary> {
    const r = ListInputSchema.safeParse(body);
    if (!r.success) throw validationError(r.error);
    const now = this.#now().toISOString();
    const l: StoredList = { id: newId(), account, name: r.data.name, kind: r.data.kind, description: r.data.description ?? '', items: [], created_on: now, modified_on: now };
    await this.#put(l, true);
    return this.#summary(l);
  }

  async #put(l: StoredList, isNew = false): Promise<void> {
    try {
      await this.#store.apply([{ op: isNew ? 'insert' : 'put', doc: { kind: RULE_LIST_KIND, id: l.id, zoneId: null, name: `${l.account}/${l.name}`, data: l } }]);
    } catch (e) {
      if (e instanceof ConfigConflictError) throw new ApiError(409, API_CODES.conflict, `a list named "${l.name}" already exists in account ${l.account}`);
      throw e;
    }
    await this.#publish();
  }

  /** Change the description (the name and kind are fixed: expressions refer to them). */
  async update(account: string, id: string, body: unknown): Promise<ListSummary> {
    const l = await this.#doc(account, id);
    const b = (body ?? {}) as Record<string, unknown>;
    if (b['name'] !== undefined && b['name'] !== l.name) throw new ApiError(400, API_CODES.validation, 'body.name: a list cannot be renamed (expressions refer to it by name)');
    if (b['kind'] !== undefined && b['kind'] !== l.kind) throw new ApiError(400, API_CODES.validation, 'body.kind: a list cannot change kind');
    const d = b['description'];
    if (d !== undefined && (typeof d !== 'string' || d.length > 500)) throw new ApiError(400, API_CODES.validation, 'body.description: expected a string of at most 500 characters');
    const next: StoredList = { ...l, description: (d as string | undefined) ?? l.description, modified_on: this.#now().toISOString() };
    await this.#put(next);
    return this.#summary(next);
  }

  /** Delete a list no expression names (409 naming the rules that still use it). */
  async delete(account: string, id: string): Promise<{ id: string }> {
    const l = await this.#doc(account, id);
    const refs = await this.#references(account, l.name);
    if (refs.length) throw new ApiError(409, API_CODES.conflict, `list $${l.name} is used by ${refs.join(', ')}; change those first`);
    await this.#store.apply([{ op: 'delete', kind: RULE_LIST_KIND, id }]);
    await this.#publish();
    return { id };
  }

  async items(account: string, id: string): Promise<readonly StoredListItem[]> { return (await this.#doc(account, id)).items; }

  #parseItems(l: StoredList, body: unknown): StoredListItem[] {
    const arr = Array.isArray(body) ? body : [body];
    const now = this.#now().toISOString();
    return arr.map((raw, i) => {
      const r = ListItemInputSchema.safeParse(raw);
      if (!r.success) throw validationError(r.error, `body[${i}]`);
      const n = normaliseItem(l.kind, r.data);
      if (!n.ok) throw new ApiError(400, API_CODES.validation, `body[${i}]: ${n.error}`);
      return { id: newId(), ...n.value, created_on: now, modified_on: now };
    });
  }

  /** Add items (an array, or one); an item already present (same value) has its comment updated. */
  async addItems(account: string, id: string, body: unknown): Promise<ListSummary> {
    const l = await this.#doc(account, id);
    const byValue = new Map(l.items.map((x) => [itemKey(x), x]));
    for (const x of this.#parseItems(l, body)) {
      const old = byValue.get(itemKey(x));
      byValue.set(itemKey(x), old ? { ...old, ...(x.comment !== undefined ? { comment: x.comment } : {}), modified_on: x.modified_on } : x);
    }
    return this.#saveItems(l, [...byValue.values()]);
  }

  /** Replace all items. */
  async replaceItems(account: string, id: string, body: unknown): Promise<ListSummary> {
    const l = await this.#doc(account, id);
    const byValue = new Map<string, StoredListItem>();
    for (const x of this.#parseItems(l, Array.isArray(body) && body.length === 0 ? [] : body)) byValue.set(itemKey(x), x);
    return this.#saveItems(l, [...byValue.values()]);
  }

  /** Remove items by id: `{ items: [{ id }] }` (Cloudflare's shape). */
  async deleteItems(account: string, id: string, body: unknown): Promise<ListSummary> {
    const l = await this.#doc(account, id);
    const list = (body as { items?: unknown } | undefined)?.items;
    if (!Array.isArray(list)) throw new ApiError(400, API_CODES.validation, 'body.items: expected an array of { id }');
    const ids = new Set(list.map((x: unknown) => (x as { id?: unknown })?.id).filter((x): x is string => typeof x === 'string'));
    return this.#saveItems(l, l.items.filter((x) => !ids.has(x.id)));
  }

  async #saveItems(l: StoredList, items: StoredListItem[]): Promise<ListSummary> {
    if (items.length > MAX_LIST_ITEMS) throw new ApiError(400, API_CODES.validation, `body: a list holds at most ${MAX_LIST_ITEMS} items`);
    const next: StoredList = { ...l, items, modified_on: this.#now().toISOString() };
    await this.#put(next);
    return this.#summary(next);
  }
}

function itemKey(x: StoredListItem): string {
  return x.ip ?? (x.asn !== undefined ? `AS${x.asn}` : x.hostname?.url_hostname ?? x.value ?? '');
}

/**
 * Objects owned by an account (stored as global documents `{ account, ...value }`): account-wide firewall rules and
 * access rules. Validated with the kind's schema, and expressions with the account's lists.
 */
export class AccountResourceService<T extends { id: string }> {
  readonly #store: ConfigStore;
  readonly #lists: ListService;
  readonly #publish: () => Promise<void>;
  readonly k: ResourceKind<T>;
  readonly noun: string;

  constructor(k: ResourceKind<T>, store: ConfigStore, accounts: AccountService, publish: () => Promise<void>) {
    this.k = k;
    this.noun = `account ${k.noun}`;
    this.#store = store;
    this.#lists = new ListService(store, accounts, publish);
    this.#publish = publish;
  }

  account(ref: string, scope?: { account: string; zones: unknown }, write = false): Promise<string> { return this.#lists.account(ref, scope, write); }

  async #validate(account: string, raw: unknown, id: string, where: string): Promise<T> {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ApiError(400, API_CODES.validation, `${where}: expected a JSON object`);
    const body = this.k.normalise ? this.k.normalise(raw as Record<string, unknown>) : (raw as Record<string, unknown>);
    const { account: _a, ...rest } = body;
    const r = this.k.schema.safeParse({ ...rest, id });
    if (!r.success) throw validationError(r.error, where);
    const lists = listResolver(await storedLists(this.#store, account));
    const problem = listScope.run(lists, () => this.k.check?.(r.data));
    if (problem !== undefined) throw new ApiError(400, API_CODES.validation, `${where}.${problem}`);
    return r.data;
  }

  #doc(account: string, v: T): { op: 'put'; doc: Omit<ConfigDoc, 'modifiedOn'> } {
    return { op: 'put', doc: { kind: this.k.kind, id: v.id, zoneId: null, name: null, data: { account, ...v } } };
  }

  async list(account: string): Promise<T[]> {
    return (await this.#store.list(this.k.kind)).map((d) => d.data as T & { account: string }).filter((r) => r.account === account).map(strip);
  }

  async get(account: string, id: string): Promise<T> {
    const d = await this.#store.get(this.k.kind, id);
    const r = d?.data as (T & { account: string }) | undefined;
    if (!r || r.account !== account) throw notFound(`${this.noun} "${id}"`);
    return strip(r);
  }

  async create(account: string, body: unknown): Promise<T | T[]> {
    const many = Array.isArray(body);
    const items = (many ? body : [body]) as unknown[];
    if (items.length === 0) throw new ApiError(400, API_CODES.validation, 'body: expected at least one item');
    const values: T[] = [];
    for (let i = 0; i < items.length; i++) values.push(await this.#validate(account, items[i], newId(), many ? `body[${i}]` : 'body'));
    await this.#store.apply(values.map((v) => this.#doc(account, v)));
    await this.#publish();
    return many ? values : values[0]!;
  }

  async update(account: string, id: string, body: unknown, replace: boolean): Promise<T> {
    const current = await this.get(account, id);
    const merged = replace ? body : { ...current, ...(body as Record<string, unknown>) };
    const v = await this.#validate(account, merged, id, 'body');
    await this.#store.apply([this.#doc(account, v)]);
    await this.#publish();
    return v;
  }

  async delete(account: string, id: string): Promise<{ id: string }> {
    await this.get(account, id);
    await this.#store.apply([{ op: 'delete', kind: this.k.kind, id }]);
    await this.#publish();
    return { id };
  }
}

/** Firewall rules defined once for an account: they apply to all its zones, before each zone's own rules. */
export class AccountRuleService extends AccountResourceService<CustomRule> {
  constructor(store: ConfigStore, accounts: AccountService, publish: () => Promise<void>) {
    super({ ...FIREWALL_RULES, kind: ACCOUNT_FIREWALL_RULE_KIND }, store, accounts, publish);
  }
}

/** IP/CIDR/range/country/ASN access rules for every zone of an account (a zone's own rules are consulted first). */
export class AccountAccessRuleService extends AccountResourceService<AccessRule> {
  constructor(store: ConfigStore, accounts: AccountService, publish: () => Promise<void>) {
    super({ ...ACCESS_RULES, kind: ACCOUNT_ACCESS_RULE_KIND }, store, accounts, publish);
  }
}

function strip<T>(r: T & { account?: string }): T {
  const { account: _a, ...rest } = r;
  return rest as T;
}
