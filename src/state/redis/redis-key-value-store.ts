/**
 * Key-value with TTL in Redis, shared by every node of a fleet.
 *
 * Each key is one hash `{prefix}kv:{key}` = { v: value, e: expiry } where `e` (absent = no TTL) is the absolute
 * expiry time from the injected clock; every read and every script compares it with the caller's `now`, so
 * expiry follows the injected clock exactly (exclusive: gone at `e`). A key with a TTL also gets a relative
 * PEXPIRE of ttl + `gcMarginMs`, only as garbage collection. `set`, `setIfAbsent`, `incr` and `delete` are Lua
 * scripts (atomic); `get` and `ttl` are one HMGET.
 */
import type { Redis } from 'ioredis';
import type { Clock } from '../../lib/clock.ts';
import type { Closeable, KeyValueStore } from '../ports.ts';
import { checkTtl } from '../kv-rules.ts';
import { gcMillis, LuaScript, replyString } from './lua-script.ts';
import { redisCall } from './redis-errors.ts';

export interface RedisKeyValueStoreOptions {
  /** The command connection (shared; the caller closes it). */
  client: Redis;
  clock: Clock;
  /** Prepended to every key. Default 'rampart:'. */
  prefix?: string;
  /** Added to a TTL for the garbage-collection PEXPIRE (covers clock skew between nodes). Default 10,000 ms. */
  gcMarginMs?: number;
}

/** Lua: the live hash of KEYS[1] at time `now` as {v, e}, or nil when absent or expired. */
const LIVE = `
local function live(now)
  local r = redis.call('HMGET', KEYS[1], 'v', 'e')
  if not r[1] then return nil end
  if r[2] and tonumber(r[2]) <= now then return nil end
  return r
end
`;

/** Lua: replace KEYS[1] by {v = value} (+ e and the GC PEXPIRE when expiry is not ''). */
const WRITE = `
local function write(value, expiry, gc)
  redis.call('DEL', KEYS[1])
  if expiry == '' then
    redis.call('HSET', KEYS[1], 'v', value)
  else
    redis.call('HSET', KEYS[1], 'v', value, 'e', expiry)
    redis.call('PEXPIRE', KEYS[1], gc)
  end
end
`;

/** ARGV: value, expiry, gc. */
const SET = new LuaScript(`${WRITE}
write(ARGV[1], ARGV[2], ARGV[3])
return 'OK'
`);

/** ARGV: now, value, expiry, gc. Returns '1' when stored. */
const SET_IF_ABSENT = new LuaScript(`${LIVE}${WRITE}
if live(tonumber(ARGV[1])) then return '0' end
write(ARGV[2], ARGV[3], ARGV[4])
return '1'
`);

/**
 * ARGV: now, by, expiry, gc. Returns {'ok', new value} | {'nan'} | {'overflow'}. The integer check is parseCounter()
 * of kv-rules.ts: an optional '-', then '0' or up to 16 digits without a leading zero, within ±(2^53 − 1).
 * The TTL is set only when the key is created; an existing key keeps its expiry.
 */
const INCR = new LuaScript(`${LIVE}${WRITE}
local MAX = 9007199254740991
local r = live(tonumber(ARGV[1]))
local n = 0
if r then
  local digits = string.match(r[1], '^%-?(%d+)$')
  if not digits or #digits > 16 or (#digits > 1 and string.sub(digits, 1, 1) == '0') then return {'nan'} end
  n = tonumber(r[1])
  if n > MAX or n < -MAX then return {'nan'} end
end
local sum = n + tonumber(ARGV[2])
if sum > MAX or sum < -MAX then return {'overflow'} end
local out = string.format('%.17g', sum)
if r then
  redis.call('HSET', KEYS[1], 'v', out)
else
  write(out, ARGV[3], ARGV[4])
end
return {'ok', out}
`);

/** ARGV: now. Returns '1' when a live key was deleted. */
const DELETE = new LuaScript(`${LIVE}
local r = live(tonumber(ARGV[1]))
redis.call('DEL', KEYS[1])
if r then return '1' end
return '0'
`);

export class RedisKeyValueStore implements KeyValueStore, Closeable {
  readonly #client: Redis;
  readonly #clock: Clock;
  readonly #prefix: string;
  readonly #gcMarginMs: number;
  #closed = false;

  constructor(options: RedisKeyValueStoreOptions) {
    this.#client = options.client;
    this.#clock = options.clock;
    this.#prefix = `${options.prefix ?? 'rampart:'}kv:`;
    this.#gcMarginMs = options.gcMarginMs ?? 10_000;
    if (!Number.isFinite(this.#gcMarginMs) || this.#gcMarginMs < 0) throw new RangeError('gcMarginMs must be a finite number >= 0');
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#live(key))?.value;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    checkTtl(ttlMs);
    await this.#script(SET, key, (now) => [value, ...this.#expiry(ttlMs, now)]);
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    checkTtl(ttlMs);
    const reply = await this.#script(SET_IF_ABSENT, key, (now) => [String(now), value, ...this.#expiry(ttlMs, now)]);
    return replyString(reply, 'setIfAbsent') === '1';
  }

  async incr(key: string, by = 1, ttlMs?: number): Promise<number> {
    checkTtl(ttlMs);
    if (!Number.isSafeInteger(by)) throw new RangeError(`incr: by must be a safe integer, got ${String(by)}`);
    const reply = await this.#script(INCR, key, (now) => [String(now), String(by), ...this.#expiry(ttlMs, now)]);
    const [status, value] = Array.isArray(reply) ? (reply as unknown[]).map((r) => replyString(r, 'incr')) : [];
    if (status === 'nan') throw new TypeError(`incr: value of ${key} is not an integer`);
    if (status === 'overflow') throw new RangeError(`incr: ${key} would overflow`);
    if (status !== 'ok' || value === undefined) throw new TypeError('unexpected Redis reply for incr');
    return Number(value);
  }

  async delete(key: string): Promise<boolean> {
    const reply = await this.#script(DELETE, key, (now) => [String(now)]);
    return replyString(reply, 'delete') === '1';
  }

  async ttl(key: string): Promise<number | undefined> {
    const entry = await this.#live(key);
    if (entry === undefined) return undefined;
    return entry.expiresAt === undefined ? Infinity : entry.expiresAt - this.#clock.now();
  }

  /** Marks the store closed (later calls reject). The client belongs to the caller and stays open. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  async #live(key: string): Promise<{ value: string; expiresAt: number | undefined } | undefined> {
    this.#checkOpen();
    const [value, e] = await redisCall(this.#client, () => this.#client.hmget(this.#prefix + key, 'v', 'e'));
    if (value === null || value === undefined) return undefined;
    const expiresAt = e === null || e === undefined ? undefined : Number(e);
    if (expiresAt !== undefined && expiresAt <= this.#clock.now()) return undefined;
    return { value, expiresAt };
  }

  /** Runs `script` on the key; `args` gets the clock's now, read once the connection is usable. */
  #script(script: LuaScript, key: string, args: (now: number) => string[]): Promise<unknown> {
    this.#checkOpen();
    return redisCall(this.#client, () => script.run(this.#client, [this.#prefix + key], args(this.#clock.now())));
  }

  /** [expiry, gc] script arguments: both '' without a TTL. */
  #expiry(ttlMs: number | undefined, now: number): [string, string] {
    if (ttlMs === undefined) return ['', ''];
    return [String(now + ttlMs), String(gcMillis(ttlMs + this.#gcMarginMs))];
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('RedisKeyValueStore is closed');
  }
}
