/**
 * Response rate limiting (RRL) against reflection and amplification, in the manner of BIND/Knot: one account per
 * (client prefix, answer) pair. Each account earns `responsesPerSecond` credits a second, up to that many; each
 * response spends one. Below zero the response is limited; the debt is capped at `window` seconds' worth, so a
 * client that stops is forgiven within `window` seconds. Of the limited responses every `slip`-th is sent truncated
 * (TC=1, so a real client retries over TCP, which cannot be spoofed) and the others are dropped; slip 0 drops all.
 */
import { z } from 'zod';
import type { Clock } from '../lib/clock.ts';
import { ipPrefix } from '../lib/ip.ts';

export interface RrlConfig {
  /** Identical positive answers (same qname and type) a second per client prefix (default 10). */
  responsesPerSecond?: number;
  /** NXDOMAIN answers a second per client prefix and zone (default: responsesPerSecond). */
  nxdomainsPerSecond?: number;
  /** Errors (REFUSED, FORMERR, ...) a second per client prefix (default: responsesPerSecond). */
  errorsPerSecond?: number;
  /** Seconds of debt remembered (default 15). */
  window?: number;
  /** Every slip-th limited response is sent truncated instead of dropped; 0 drops all, 1 truncates all (default 2). */
  slip?: number;
  ipv4PrefixLength?: number;
  ipv6PrefixLength?: number;
  /** Accounts kept at most; the oldest are forgotten first (default 100000). */
  maxEntries?: number;
}

/** Schema of RrlConfig, for the config file and API. */
export const rrlConfigSchema = z.strictObject({
  responsesPerSecond: z.number().int().min(0).max(1_000_000).optional(),
  nxdomainsPerSecond: z.number().int().min(0).max(1_000_000).optional(),
  errorsPerSecond: z.number().int().min(0).max(1_000_000).optional(),
  window: z.number().int().min(1).max(3600).optional(),
  slip: z.number().int().min(0).max(10).optional(),
  ipv4PrefixLength: z.number().int().min(8).max(32).optional(),
  ipv6PrefixLength: z.number().int().min(16).max(128).optional(),
  maxEntries: z.number().int().min(1).max(10_000_000).optional(),
});

export type RrlCategory = 'answer' | 'nxdomain' | 'error';
export type RrlDecision = 'send' | 'slip' | 'drop';

interface Account {
  balance: number;
  last: number;
  limited: number;
}

/** Strip the IPv4-mapped IPv6 prefix ('::ffff:192.0.2.1' → '192.0.2.1'). */
export function unmapIp(ip: string): string {
  return ip.toLowerCase().startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

export class ResponseRateLimiter {
  readonly #clock: Clock;
  readonly #rate: Record<RrlCategory, number>;
  readonly #window: number;
  readonly #slip: number;
  readonly #v4: number;
  readonly #v6: number;
  readonly #max: number;
  readonly #accounts = new Map<string, Account>();

  constructor(config: RrlConfig, clock: Clock) {
    this.#clock = clock;
    const rps = config.responsesPerSecond ?? 10;
    this.#rate = { answer: rps, nxdomain: config.nxdomainsPerSecond ?? rps, error: config.errorsPerSecond ?? rps };
    this.#window = config.window ?? 15;
    this.#slip = config.slip ?? 2;
    this.#v4 = config.ipv4PrefixLength ?? 24;
    this.#v6 = config.ipv6PrefixLength ?? 56;
    this.#max = config.maxEntries ?? 100_000;
  }

  /** The account key: client prefix, category and the answer's identity (qname+type, or the zone for NXDOMAIN). */
  key(clientIp: string, category: RrlCategory, what: string): string {
    return `${ipPrefix(unmapIp(clientIp), this.#v4, this.#v6)}|${category}|${what.toLowerCase()}`;
  }

  /** Decide for one response about to be sent over UDP. */
  check(clientIp: string, category: RrlCategory, what: string): RrlDecision {
    const rate = this.#rate[category];
    if (rate <= 0) return 'send';
    const k = this.key(clientIp, category, what);
    const now = this.#clock.now() / 1000;
    let a = this.#accounts.get(k);
    if (!a) {
      a = { balance: rate, last: now, limited: 0 };
      if (this.#accounts.size >= this.#max) {
        const oldest = this.#accounts.keys().next();
        if (!oldest.done) this.#accounts.delete(oldest.value);
      }
      this.#accounts.set(k, a);
    } else {
      const elapsed = Math.max(0, now - a.last);
      a.balance = Math.min(rate, a.balance + elapsed * rate);
      a.last = now;
    }
    a.balance -= 1;
    const floor = -this.#window * rate;
    if (a.balance < floor) a.balance = floor;
    if (a.balance >= 0) {
      a.limited = 0;
      return 'send';
    }
    a.limited++;
    if (this.#slip > 0 && a.limited % this.#slip === 0) return 'slip';
    return 'drop';
  }

  /** Number of accounts held (for metrics and tests). */
  get size(): number {
    return this.#accounts.size;
  }
}
