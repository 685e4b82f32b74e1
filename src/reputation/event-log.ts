/**
 * A bounded log of recent reputation events per subject (an address or a prefix), in the shared KeyValueStore so
 * every node's events show in one place: "the events behind the score" of the reputation API.
 *
 * A ring of `size` slots per subject: `incr` of `PREFIX SUBJECT:n` gives the entry its sequence number, the entry
 * goes to slot `seq % size`. Entries carry their sequence number, so a slot left over from before a reset
 * (`clear`) is never shown. All keys expire `ttlMs` after their last write. Reads cost 1 + size gets.
 */
import type { KeyValueStore } from '../state/ports.ts';
import type { ReputationEventKind } from './kinds.ts';
import { isReputationEventKind } from './kinds.ts';

export interface LoggedEvent {
  readonly kind: ReputationEventKind;
  /** Points added (before decay), summed over `count` events of this kind that one flush wrote together. */
  readonly weight: number;
  readonly count: number;
  /** Epoch ms of the latest of those events. */
  readonly time: number;
}

export interface ReputationEventLogOptions {
  kv: KeyValueStore;
  /** Entries kept per subject. Default 50. */
  size?: number;
  /** Default 24 h. */
  ttlMs?: number;
  /** Default 'repev:'. */
  keyPrefix?: string;
}

export class ReputationEventLog {
  readonly #kv: KeyValueStore;
  readonly #size: number;
  readonly #ttlMs: number;
  readonly #prefix: string;

  constructor(o: ReputationEventLogOptions) {
    this.#kv = o.kv;
    this.#size = o.size ?? 50;
    if (!Number.isSafeInteger(this.#size) || this.#size < 1 || this.#size > 1000) throw new RangeError('event log size must be 1..1000');
    this.#ttlMs = o.ttlMs ?? 24 * 3_600_000;
    this.#prefix = o.keyPrefix ?? 'repev:';
  }

  get size(): number { return this.#size; }

  async append(subject: string, e: LoggedEvent): Promise<void> {
    const seq = await this.#kv.incr(`${this.#prefix}${subject}:n`, 1, this.#ttlMs);
    await this.#kv.set(`${this.#prefix}${subject}:${seq % this.#size}`, JSON.stringify({ s: seq, k: e.kind, w: round(e.weight), c: e.count, t: e.time }), this.#ttlMs);
  }

  /** Up to `limit` most recent entries, newest first. */
  async recent(subject: string, limit = this.#size): Promise<LoggedEvent[]> {
    const n = Number(await this.#kv.get(`${this.#prefix}${subject}:n`));
    if (!Number.isSafeInteger(n) || n <= 0) return [];
    const seqs: number[] = [];
    for (let s = n; s > 0 && seqs.length < Math.min(limit, this.#size); s--) seqs.push(s);
    const raw = await Promise.all(seqs.map((s) => this.#kv.get(`${this.#prefix}${subject}:${s % this.#size}`)));
    const out: LoggedEvent[] = [];
    raw.forEach((v, i) => {
      if (v === undefined) return;
      let p: { s?: unknown; k?: unknown; w?: unknown; c?: unknown; t?: unknown };
      try { p = JSON.parse(v) as typeof p; } catch { return; }
      if (p.s !== seqs[i] || typeof p.k !== 'string' || !isReputationEventKind(p.k)) return;
      if (typeof p.w !== 'number' || typeof p.c !== 'number' || typeof p.t !== 'number') return;
      out.push({ kind: p.k, weight: p.w, count: p.c, time: p.t });
    });
    return out;
  }

  /** Forgets the subject's log (its entries become unreachable and expire). */
  async clear(subject: string): Promise<void> {
    await this.#kv.delete(`${this.#prefix}${subject}:n`);
  }
}

function round(w: number): number { return Math.round(w * 1000) / 1000; }
