/** Open connections per client IP, per client prefix (/24, /64) and in total, with the caps that refuse a new one. */
import { clientPrefix } from '../../mitigation/ip-prefix.ts';

export type ConnectionRefusal = 'per_ip' | 'per_prefix' | 'global' | 'reserve';

export interface ConnectionCaps {
  readonly perIp: number;
  /** Per IPv4 /24 or IPv6 /64 (one attacker with a whole subnet); absent = no cap. */
  readonly perPrefix?: number;
  readonly global: number;
  /** Connections out of `global` only known-good clients may take. */
  readonly reserved: number;
}

export class ConnectionTracker {
  readonly #byIp = new Map<string, number>();
  readonly #byPrefix = new Map<string, number>();
  #total = 0;
  readonly #caps: ConnectionCaps;

  constructor(caps: ConnectionCaps) { this.#caps = caps; }

  /** Would a new connection from `ip` be refused? (Does not count it.) */
  check(ip: string, knownGood: boolean): ConnectionRefusal | undefined {
    if ((this.#byIp.get(ip) ?? 0) >= this.#caps.perIp) return 'per_ip';
    if (this.#caps.perPrefix !== undefined && (this.#byPrefix.get(clientPrefix(ip)) ?? 0) >= this.#caps.perPrefix) return 'per_prefix';
    if (this.#total >= this.#caps.global) return 'global';
    if (!knownGood && this.#total >= this.#caps.global - this.#caps.reserved) return 'reserve';
    return undefined;
  }

  open(ip: string): void {
    this.#byIp.set(ip, (this.#byIp.get(ip) ?? 0) + 1);
    if (this.#caps.perPrefix !== undefined) { const p = clientPrefix(ip); this.#byPrefix.set(p, (this.#byPrefix.get(p) ?? 0) + 1); }
    this.#total++;
  }

  close(ip: string): void {
    const n = this.#byIp.get(ip);
    if (n === undefined) return;
    if (n <= 1) this.#byIp.delete(ip); else this.#byIp.set(ip, n - 1);
    if (this.#caps.perPrefix !== undefined) {
      const p = clientPrefix(ip);
      const m = this.#byPrefix.get(p) ?? 0;
      if (m <= 1) this.#byPrefix.delete(p); else this.#byPrefix.set(p, m - 1);
    }
    this.#total--;
  }

  count(ip: string): number { return this.#byIp.get(ip) ?? 0; }
  prefixCount(ip: string): number { return this.#byPrefix.get(clientPrefix(ip)) ?? 0; }
  get total(): number { return this.#total; }
  get ips(): number { return this.#byIp.size; }
}

/** `reserved_connections`: an absolute number, or a share of the cap such as "10%". */
export function reservedCount(reserved: number | string, global: number): number {
  if (typeof reserved === 'number') return Math.min(reserved, global);
  const pct = Number(reserved.replace(/%$/, ''));
  return Math.min(global, Math.floor((global * (Number.isFinite(pct) ? pct : 0)) / 100));
}
