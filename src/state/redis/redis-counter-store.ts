/**
 * Sliding-window counters in Redis, shared by every node of a fleet.
 *
 * Same two-bucket estimate as the other adapters (`../sliding-window.ts`). Each key is one hash
 * `{prefix}ctr:{key}`, one field per window (`"60000"` → `"bucket curr prev"`, numbers as %.17g so fractional costs
 * round-trip exactly). A `hit` is one Lua script (HIT below): read the field, roll the buckets like `addHit`, add,
 * write, return the state; the count is then computed here with `estimate`. The bucket comes from the injected
 * clock, never from Redis's clock. The key gets a relative PEXPIRE of 2 windows + `gcMarginMs` (only ever raised),
 * purely as garbage collection: a state that old can no longer count anyway.
 */
import type { Redis } from 'ioredis';
import type { Clock } from '../../lib/clock.ts';
import type { Closeable, CounterStore } from '../ports.ts';
import { bucketOf, checkCost, checkWindow, estimate } from '../sliding-window.ts';
import type { WindowState } from '../sliding-window.ts';
import { gcMillis, LuaScript, replyString } from './lua-script.ts';
import { redisCall } from './redis-errors.ts';

export interface RedisCounterStoreOptions {
  /** The command connection (shared; the caller closes it). */
  client: Redis;
  clock: Clock;
  /** Prepended to every key. Default 'rampart:'. */
  prefix?: string;
  /** Added to the 2-window garbage-collection expiry (covers clock skew between nodes). Default 10,000 ms. */
  gcMarginMs?: number;
}

/** KEYS[1] hash; ARGV: field (window), bucket, cost, gc ms. Returns "bucket curr prev". Mirrors addHit(). */
const HIT = new LuaScript(`
local bucket = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local b, c, p = bucket, cost, 0
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw then
  local sb, sc, sp = string.match(raw, '^(%S+) (%S+) (%S+)$')
  sb = tonumber(sb)
  sc = tonumber(sc)
  sp = tonumber(sp)
  if sb and sc and sp then
    if sb >= bucket then
      b, c, p = sb, sc + cost, sp
    elseif sb == bucket - 1 then
      p = sc
    end
  end
end
local out = string.format('%.17g %.17g %.17g', b, c, p)
redis.call('HSET', KEYS[1], ARGV[1], out)
local gc = tonumber(ARGV[4])
if redis.call('PTTL', KEYS[1]) < gc then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return out
`);

function parseState(raw: string | null): WindowState | undefined {
  if (raw === null) return undefined;
  const [bucket, curr, prev] = raw.split(' ').map(Number);
  if (bucket === undefined || curr === undefined || prev === undefined || Number.isNaN(bucket + curr + prev)) return undefined;
  return { bucket, curr, prev };
}

export class RedisCounterStore implements CounterStore, Closeable {
  readonly #client: Redis;
  readonly #clock: Clock;
  readonly #prefix: string;
  readonly #gcMarginMs: number;
  #closed = false;

  constructor(options: RedisCounterStoreOptions) {
    this.#client = options.client;
    this.#clock = options.clock;
    this.#prefix = `${options.prefix ?? 'rampart:'}ctr:`;
    this.#gcMarginMs = options.gcMarginMs ?? 10_000;
    if (!Number.isFinite(this.#gcMarginMs) || this.#gcMarginMs < 0) throw new RangeError('gcMarginMs must be a finite number >= 0');
  }

  async hit(key: string, windowMs: number, cost = 1): Promise<number> {
    checkWindow(windowMs);
    checkCost(cost);
    this.#checkOpen();
    const gc = String(gcMillis(2 * windowMs + this.#gcMarginMs));
    let now = 0;
    const reply = await redisCall(this.#client, () => {
      now = this.#clock.now(); // read after a connection wait, so the bucket is the one of the moment of the hit
      return HIT.run(this.#client, [this.#prefix + key], [String(windowMs), String(bucketOf(now, windowMs)), String(cost), gc]);
    });
    return estimate(parseState(replyString(reply, 'hit')), now, windowMs);
  }

  async peek(key: string, windowMs: number): Promise<number> {
    checkWindow(windowMs);
    this.#checkOpen();
    const raw = await redisCall(this.#client, () => this.#client.hget(this.#prefix + key, String(windowMs)));
    return estimate(parseState(raw), this.#clock.now(), windowMs);
  }

  async reset(key: string): Promise<void> {
    this.#checkOpen();
    await redisCall(this.#client, () => this.#client.del(this.#prefix + key));
  }

  /** Marks the store closed (later calls reject). The client belongs to the caller and stays open. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('RedisCounterStore is closed');
  }
}
