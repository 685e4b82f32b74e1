/**
 * People, not tokens: account members (owner, admin, analyst) who sign in to the dashboard with a password
 * (scrypt), an optional TOTP second factor (RFC 6238), and get a session cookie (`rampart_session`: HttpOnly,
 * SameSite=Strict, Secure when the admin listener is reached over HTTPS) plus a CSRF token that every state-changing
 * call must echo in `x-csrf-token`. Failed sign-ins are limited per address and per account email: 5 failures in
 * 15 minutes lock that email (and 20 that address) for 15 minutes.
 *
 * Members live in the config store (kind `member`, name = email), so every control plane of a fleet knows them.
 * Sessions and the failure counters live in this process's memory: a restart signs everyone out, and in a fleet a
 * session is valid on the control plane that issued it (put the dashboard behind one, or use sticky sessions).
 */
import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { ConfigStore } from '../../state/ports.ts';
import { ConfigConflictError } from '../../state/ports.ts';
import type { Permission, TokenScope } from '../api/router.ts';
import { ApiError, API_CODES, notFound, validationError } from '../api/errors.ts';
import type { AccountService } from './accounts.ts';
import { newId } from './zones.ts';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export const ROLES = ['owner', 'admin', 'analyst'] as const;
export type Role = typeof ROLES[number];

const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  owner: ['zone:read', 'zone:edit', 'dns:edit', 'firewall:edit', 'cache:purge', 'analytics:read', 'account:admin'],
  admin: ['zone:read', 'zone:edit', 'dns:edit', 'firewall:edit', 'cache:purge', 'analytics:read'],
  analyst: ['zone:read', 'analytics:read'],
};

export const MemberInputSchema = z.object({
  email: z.string().email().max(254),
  password: z.string().min(12, 'at least 12 characters').max(1024),
  role: z.enum(ROLES),
}).strict();
export const SignupSchema = z.object({
  account: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
  email: z.string().email().max(254),
  password: z.string().min(12, 'at least 12 characters').max(1024),
}).strict();
export const LoginSchema = z.object({ email: z.string().max(254), password: z.string().max(1024), totp: z.string().regex(/^\d{6}$/, 'six digits').optional() }).strict();

interface StoredMember { id: string; account: string; email: string; role: Role; password: string; totp: string | null; totp_pending: string | null; created_on: string }
export type PublicMember = Omit<StoredMember, 'password' | 'totp' | 'totp_pending'> & { totp_enabled: boolean };

interface Session { member: string; account: string; email: string; role: Role; csrf: string; expires: number }

const KIND = 'member';
const view = (m: StoredMember): PublicMember => ({ id: m.id, account: m.account, email: m.email, role: m.role, created_on: m.created_on, totp_enabled: m.totp !== null });

async function hashPassword(pw: string): Promise<string> {
  const salt = randomBytes(16);
  const h = await scrypt(pw, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${salt.toString('base64')}$${h.toString('base64')}`;
}

async function checkPassword(pw: string, stored: string): Promise<boolean> {
  const [alg, n, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64');
  const got = await scrypt(pw, Buffer.from(salt, 'base64'), want.length, { ...SCRYPT, N: Number(n) });
  return got.length === want.length && timingSafeEqual(got, want);
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export function base32(buf: Buffer): string {
  let bits = 0; let value = 0; let out = '';
  for (const b of buf) { value = (value << 8) | b; bits += 8; while (bits >= 5) { out += B32[(value >>> (bits - 5)) & 31]; bits -= 5; } }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}
function unbase32(s: string): Buffer {
  let bits = 0; let value = 0; const out: number[] = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    const i = B32.indexOf(c);
    if (i < 0) continue;
    value = (value << 5) | i; bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (HMAC-SHA1, 30 s steps, 6 digits) for the step containing `timeMs`. */
export function totpCode(secretB32: string, timeMs: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(timeMs / 30_000)));
  const mac = createHmac('sha1', unbase32(secretB32)).update(counter).digest();
  const off = mac[mac.length - 1]! & 0xf;
  const bin = ((mac[off]! & 0x7f) << 24) | (mac[off + 1]! << 16) | (mac[off + 2]! << 8) | mac[off + 3]!;
  return String(bin % 1_000_000).padStart(6, '0');
}

function totpValid(secret: string, code: string, now: number): boolean {
  for (const d of [-1, 0, 1]) {
    const want = Buffer.from(totpCode(secret, now + d * 30_000));
    const got = Buffer.from(code.padEnd(6, ' ').slice(0, 6));
    if (timingSafeEqual(want, got)) return true;
  }
  return false;
}

class Throttle {
  readonly #fails = new Map<string, number[]>();
  readonly #max: number;
  readonly #windowMs: number;
  constructor(max: number, windowMs: number) { this.#max = max; this.#windowMs = windowMs; }
  /** Milliseconds until the key may try again, 0 when it may now. */
  lockedFor(key: string, now: number): number {
    const l = (this.#fails.get(key) ?? []).filter((t) => t > now - this.#windowMs);
    this.#fails.set(key, l);
    return l.length >= this.#max ? l[0]! + this.#windowMs - now : 0;
  }
  fail(key: string, now: number): void { const l = this.#fails.get(key) ?? []; l.push(now); this.#fails.set(key, l); if (this.#fails.size > 100_000) this.#fails.clear(); }
  clear(key: string): void { this.#fails.delete(key); }
}

export class SessionService {
  readonly #store: ConfigStore;
  readonly #accounts: AccountService;
  readonly #now: () => number;
  readonly #sessions = new Map<string, Session>();
  readonly #byEmail = new Throttle(5, 15 * 60_000);
  readonly #byIp = new Throttle(20, 15 * 60_000);
  readonly ttlMs: number;

  constructor(store: ConfigStore, accounts: AccountService, opts: { now?: () => number; ttlMs?: number } = {}) {
    this.#store = store;
    this.#accounts = accounts;
    this.#now = opts.now ?? Date.now;
    this.ttlMs = opts.ttlMs ?? 12 * 3600_000;
  }

  // ---- members ----

  async addMember(accountRef: string, body: unknown): Promise<PublicMember> {
    const r = MemberInputSchema.safeParse(body ?? {});
    if (!r.success) throw validationError(r.error);
    const account = await this.#accounts.get(accountRef);
    const m: StoredMember = { id: newId(), account: account.name, email: r.data.email.toLowerCase(), role: r.data.role, password: await hashPassword(r.data.password), totp: null, totp_pending: null, created_on: new Date(this.#now()).toISOString() };
    try {
      await this.#store.apply([{ op: 'put', doc: { kind: KIND, id: m.id, zoneId: null, name: m.email, data: m } }]);
    } catch (e) {
      if (e instanceof ConfigConflictError) throw new ApiError(409, API_CODES.conflict, `a member with the email ${m.email} exists`);
      throw e;
    }
    return view(m);
  }

  async members(accountRef: string): Promise<PublicMember[]> {
    const account = await this.#accounts.get(accountRef);
    return (await this.#store.list(KIND)).map((d) => d.data as StoredMember).filter((m) => m.account === account.name).map(view);
  }

  async removeMember(accountRef: string, id: string): Promise<{ id: string }> {
    const account = await this.#accounts.get(accountRef);
    const d = await this.#store.get(KIND, id);
    if (!d || (d.data as StoredMember).account !== account.name) throw notFound(`member ${id}`);
    await this.#store.apply([{ op: 'delete', kind: KIND, id }]);
    for (const [sid, s] of this.#sessions) if (s.member === id) this.#sessions.delete(sid);
    return { id };
  }

  // ---- public sign-up ----

  readonly #signups = new Throttle(5, 3600_000);

  /**
   * Sign-up by the public: a new account with its first member (owner), signed in at once. At most 5 sign-ups an
   * hour per address; the email must not belong to a member yet. Everything or nothing is created.
   */
  async signup(body: unknown, ip: string): Promise<{ account: string; login: Awaited<ReturnType<SessionService['login']>> }> {
    const r = SignupSchema.safeParse(body ?? {});
    if (!r.success) throw validationError(r.error);
    const now = this.#now();
    const wait = this.#signups.lockedFor(ip, now);
    if (wait > 0) throw Object.assign(new ApiError(429, API_CODES.forbidden, `too many sign-ups from this address: try again in ${Math.ceil(wait / 60_000)} minute(s)`), { retryAfter: Math.ceil(wait / 1000) });
    const email = r.data.email.toLowerCase();
    if (await this.#store.getByName(KIND, email)) throw new ApiError(409, API_CODES.conflict, `a member with the email ${email} exists: sign in instead`);
    this.#signups.fail(ip, now);
    const account = await this.#accounts.create({ name: r.data.account, email });
    try {
      await this.addMember(account.name, { email, password: r.data.password, role: 'owner' });
    } catch (e) {
      await this.#store.apply([{ op: 'delete', kind: 'account', id: account.id }]);
      throw e;
    }
    return { account: account.name, login: await this.login({ email, password: r.data.password }, ip) };
  }

  // ---- sign-in ----

  /** Check a sign-in; on success a new session id and its CSRF token. Failures say nothing about which part failed. */
  async login(body: unknown, ip: string): Promise<{ sid: string; csrf: string; member: PublicMember; expires_on: string }> {
    const r = LoginSchema.safeParse(body ?? {});
    if (!r.success) throw validationError(r.error);
    const now = this.#now();
    const email = r.data.email.toLowerCase();
    const wait = Math.max(this.#byEmail.lockedFor(email, now), this.#byIp.lockedFor(ip, now));
    if (wait > 0) throw Object.assign(new ApiError(429, API_CODES.forbidden, `too many failed sign-ins: try again in ${Math.ceil(wait / 60_000)} minute(s)`), { retryAfter: Math.ceil(wait / 1000) });
    const d = await this.#store.getByName(KIND, email);
    const m = d?.data as StoredMember | undefined;
    // the same work whether or not the member exists (no account enumeration by timing)
    const ok = await checkPassword(r.data.password, m?.password ?? 'scrypt$16384$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    if (!m || !ok) { this.#byEmail.fail(email, now); this.#byIp.fail(ip, now); throw new ApiError(401, API_CODES.unauthenticated, 'wrong email or password'); }
    if (m.totp !== null) {
      if (r.data.totp === undefined) throw new ApiError(401, API_CODES.unauthenticated, 'this account needs the six-digit code of its authenticator app (totp)');
      if (!totpValid(m.totp, r.data.totp, now)) { this.#byEmail.fail(email, now); this.#byIp.fail(ip, now); throw new ApiError(401, API_CODES.unauthenticated, 'wrong authenticator code'); }
    }
    this.#byEmail.clear(email);
    const sid = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const expires = now + this.ttlMs;
    this.#sessions.set(sid, { member: m.id, account: m.account, email: m.email, role: m.role, csrf, expires });
    if (this.#sessions.size > 100_000) for (const [k, s] of this.#sessions) if (s.expires < now) this.#sessions.delete(k);
    return { sid, csrf, member: view(m), expires_on: new Date(expires).toISOString() };
  }

  logout(sid: string): void { this.#sessions.delete(sid); }

  /** The session behind a cookie value, as a token scope of the member's role over the member's account. */
  session(sid: string): { scope: TokenScope; csrf: string; email: string; sid: string } | undefined {
    const s = this.#sessions.get(sid);
    if (!s) return undefined;
    if (s.expires < this.#now()) { this.#sessions.delete(sid); return undefined; }
    const scope: TokenScope = { id: `session:${s.member}`, account: s.account, permissions: new Set(ROLE_PERMISSIONS[s.role]), zones: 'account', expiresOn: new Date(s.expires).toISOString() };
    return { scope, csrf: s.csrf, email: s.email, sid };
  }

  // ---- TOTP ----

  async totpSetup(memberId: string): Promise<{ secret: string; otpauth_url: string }> {
    const d = await this.#store.get(KIND, memberId);
    if (!d) throw notFound('member');
    const m = d.data as StoredMember;
    const secret = base32(randomBytes(20));
    await this.#store.apply([{ op: 'put', doc: { kind: KIND, id: m.id, zoneId: null, name: m.email, data: { ...m, totp_pending: secret } } }]);
    return { secret, otpauth_url: `otpauth://totp/Rampart:${encodeURIComponent(m.email)}?secret=${secret}&issuer=Rampart` };
  }

  async totpEnable(memberId: string, code: unknown): Promise<PublicMember> {
    const d = await this.#store.get(KIND, memberId);
    if (!d) throw notFound('member');
    const m = d.data as StoredMember;
    if (m.totp_pending === null) throw new ApiError(409, API_CODES.conflict, 'no authenticator being set up: POST /client/v4/auth/totp/setup first');
    if (typeof code !== 'string' || !totpValid(m.totp_pending, code, this.#now())) throw new ApiError(400, API_CODES.validation, 'body.code: not the current code of the authenticator');
    const next: StoredMember = { ...m, totp: m.totp_pending, totp_pending: null };
    await this.#store.apply([{ op: 'put', doc: { kind: KIND, id: m.id, zoneId: null, name: m.email, data: next } }]);
    return view(next);
  }
}

/** The cookie value of `name` in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Constant-time equality of two strings (CSRF tokens). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a); const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
