/**
 * Accounts and scoped API tokens (Cloudflare-shaped). A token's secret is shown once at creation and stored only as
 * its SHA-256 (the lookup key); a presented secret is hashed and looked up, so no comparison of secrets happens
 * at all. A token carries permissions, resources (listed zones, or every zone of its account), optional client
 * IP ranges and an optional expiry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ConfigStore } from '../../state/ports.ts';
import { ConfigConflictError } from '../../state/ports.ts';
import { IpSet } from '../../lib/ip.ts';
import { PERMISSIONS } from '../api/router.ts';
import type { Permission, TokenScope } from '../api/router.ts';
import { ApiError, API_CODES, notFound, validationError } from '../api/errors.ts';
import type { ZoneService } from './zones.ts';
import { newId } from './zones.ts';

export const AccountInputSchema = z.object({
  name: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
  email: z.email(),
}).strict();

export interface Account { id: string; name: string; email: string; created_on: string }

export const TokenInputSchema = z.object({
  name: z.string().min(1).max(100).optional(),
  permissions: z.array(z.enum(PERMISSIONS as unknown as [Permission, ...Permission[]])).min(1).max(PERMISSIONS.length),
  /** Zone names or ids; absent = every zone of the account. */
  zones: z.array(z.string().min(1)).max(1000).optional(),
  /** Client IP ranges allowed to use the token (CIDRs or IPs); absent = anywhere. */
  ip_ranges: z.array(z.string().min(1)).max(100).optional(),
  /** ISO time, or a duration like 30d, 12h. */
  expires_on: z.string().optional(),
}).strict();

interface StoredToken {
  id: string; account: string; name: string; permissions: Permission[]; zones: string[] | null; ip_ranges: string[] | null;
  expires_on: string | null; created_on: string; status: 'active' | 'revoked';
}

const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');

function parseExpiry(v: string | undefined, now: Date): string | null {
  if (v === undefined) return null;
  const m = /^(\d+)([dhm])$/.exec(v.trim());
  if (m) return new Date(now.getTime() + Number(m[1]) * ({ d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'])).toISOString();
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new ApiError(400, API_CODES.validation, `body.expires_on: "${v}" is neither an ISO time nor a duration like 30d`);
  if (t <= now.getTime()) throw new ApiError(400, API_CODES.validation, 'body.expires_on: in the past');
  return new Date(t).toISOString();
}

export class AccountService {
  readonly #store: ConfigStore;
  readonly #zones: ZoneService;
  readonly #now: () => Date;

  constructor(store: ConfigStore, zones: ZoneService, now: () => Date = () => new Date()) {
    this.#store = store;
    this.#zones = zones;
    this.#now = now;
  }

  async create(body: unknown): Promise<Account> {
    const r = AccountInputSchema.safeParse(body);
    if (!r.success) throw validationError(r.error);
    const a: Account = { id: newId(), name: r.data.name, email: r.data.email, created_on: this.#now().toISOString() };
    try {
      await this.#store.apply([{ op: 'put', doc: { kind: 'account', id: a.id, zoneId: null, name: a.name, data: a } }]);
    } catch (e) {
      if (e instanceof ConfigConflictError) throw new ApiError(409, API_CODES.conflict, `account "${a.name}" already exists`);
      throw e;
    }
    return a;
  }

  async list(): Promise<Account[]> { return (await this.#store.list('account')).map((d) => d.data as Account); }

  async get(ref: string): Promise<Account> {
    const d = (await this.#store.get('account', ref)) ?? (await this.#store.getByName('account', ref));
    if (!d) throw notFound(`account "${ref}"`);
    return d.data as Account;
  }

  /** Create a token; the secret is in the answer and nowhere else. */
  async createToken(accountRef: string, body: unknown): Promise<StoredToken & { value: string }> {
    const account = await this.get(accountRef);
    const r = TokenInputSchema.safeParse(body);
    if (!r.success) throw validationError(r.error);
    let zones: string[] | null = null;
    if (r.data.zones !== undefined) {
      zones = [];
      for (const [i, ref] of r.data.zones.entries()) {
        let z;
        try { z = await this.#zones.get(ref); } catch { throw new ApiError(400, API_CODES.validation, `body.zones[${i}]: no zone "${ref}"`); }
        if (z.account !== account.name) throw new ApiError(400, API_CODES.validation, `body.zones[${i}]: zone ${z.name} belongs to another account`);
        zones.push(z.id);
      }
    }
    if (r.data.ip_ranges !== undefined) {
      try { IpSet.from(r.data.ip_ranges); } catch (e) { throw new ApiError(400, API_CODES.validation, `body.ip_ranges: ${(e as Error).message}`); }
    }
    const now = this.#now();
    const id = newId();
    const value = `rpt_${randomBytes(30).toString('base64url')}`;
    const t: StoredToken = {
      id, account: account.name, name: r.data.name ?? `token ${id.slice(0, 8)}`, permissions: r.data.permissions, zones,
      ip_ranges: r.data.ip_ranges ?? null, expires_on: parseExpiry(r.data.expires_on, now), created_on: now.toISOString(), status: 'active',
    };
    await this.#store.apply([{ op: 'put', doc: { kind: 'api_token', id, zoneId: null, name: hashOf(value), data: t } }]);
    return { ...t, value };
  }

  async listTokens(accountRef: string): Promise<StoredToken[]> {
    const account = await this.get(accountRef);
    return (await this.#store.list('api_token')).map((d) => d.data as StoredToken).filter((t) => t.account === account.name);
  }

  async revokeToken(accountRef: string, id: string): Promise<{ id: string }> {
    const account = await this.get(accountRef);
    const d = await this.#store.get('api_token', id);
    if (!d || (d.data as StoredToken).account !== account.name) throw notFound(`token "${id}"`);
    await this.#store.apply([{ op: 'put', doc: { ...d, data: { ...(d.data as StoredToken), status: 'revoked' } } }]);
    return { id };
  }

  /** The scope of a presented secret: undefined when no such token; a refusal when revoked, expired or off-range. */
  async verify(secret: string, clientIp: string): Promise<TokenScope | { refused: string } | undefined> {
    if (!secret.startsWith('rpt_')) return undefined;
    const d = await this.#store.getByName('api_token', hashOf(secret));
    if (!d) return undefined;
    const t = d.data as StoredToken;
    if (t.status !== 'active') return { refused: 'this API token was revoked' };
    if (t.expires_on !== null && Date.parse(t.expires_on) <= this.#now().getTime()) return { refused: `this API token expired on ${t.expires_on}` };
    if (t.ip_ranges !== null && !IpSet.from(t.ip_ranges).has(clientIp.replace(/^::ffff:/, ''))) return { refused: 'this API token may not be used from this address' };
    return { id: t.id, account: t.account, permissions: new Set(t.permissions), zones: t.zones === null ? 'account' : new Set(t.zones), expiresOn: t.expires_on };
  }
}
