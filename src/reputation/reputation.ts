/**
 * The shared IP reputation: events in, an exponentially decayed score (0..100) out.
 *
 * Stored on the `KeyValueStore` port, one integer key per (subject, epoch) updated only by atomic `incr` (see
 * `decay.ts`), so every worker and zone sharing the store shares the scores. The subject is the client's
 * address for IPv4 and its /64 for IPv6 (configurable), since one IPv6 client owns a whole /64.
 *
 * Per-request cost is kept off the store: `record` buffers increments in memory and flushes them every
 * `flushIntervalMs` (one `incr` per subject and epoch, however many events), and `score` caches what it read for
 * `cacheMs` of clock time; this process's unflushed events always count at once. Other processes see an event
 * after at most flushIntervalMs + their cacheMs.
 *
 * Failure mode (fail-open): a store error during a flush or a read is reported to `onError`; the flush's increments
 * are dropped and a failed read scores from this process's own pending events only. Reputation then under-counts,
 * never blocks anyone by itself.
 */
import { ipPrefix } from '../lib/ip.ts';
import type { Clock } from '../lib/clock.ts';
import type { Closeable, KeyValueStore } from '../state/ports.ts';
import { epochsRead, epochTtlMs, pointsAt, unitsFor } from './decay.ts';
import { DEFAULT_REPUTATION_WEIGHTS, isReputationEventKind } from './kinds.ts';
import type { ReputationEventKind } from './kinds.ts';
import { ReputationEventLog } from './event-log.ts';
import type { LoggedEvent } from './event-log.ts';

export interface ReputationOptions {
  kv: KeyValueStore;
  clock: Clock;
  /** Time for a score to halve without new events. Default 15 minutes. */
  halfLifeMs?: number;
  /** Points per kind of event, overriding the defaults (`DEFAULT_REPUTATION_WEIGHTS`). */
  weights?: Partial<Record<ReputationEventKind, number>>;
  /** Key prefix in the store. Default 'rep:'. */
  keyPrefix?: string;
  /** Prefix lengths that group addresses into one subject. Default 32 (IPv4) and 64 (IPv6). */
  v4Bits?: number;
  v6Bits?: number;
  /** How long (clock ms) a score read from the store is reused in this process; 0 disables. Default 1000. */
  cacheMs?: number;
  /** Most subjects cached. Default 100,000. */
  maxCached?: number;
  /** Real ms between flushes of buffered events; 0 writes every event through at once. Default 250. */
  flushIntervalMs?: number;
  /** A flush starts early when this many (subject, epoch) increments are buffered. Default 10,000. */
  maxPending?: number;
  /** Store errors (fail-open). Default: process.emitWarning. */
  onError?: (error: unknown) => void;
  /**
   * Also score the address's network (e.g. 24 → the /24 of an IPv4 address; `prefixV6Bits` e.g. 48): `prefixScore`.
   * Off unless set. One more `incr` per prefix and epoch at each flush.
   */
  prefixV4Bits?: number;
  prefixV6Bits?: number;
  /**
   * Keep the last N events per subject (and prefix) in the store for `events` (the reputation API). 0/unset = off.
   * Events of one kind buffered in one flush are written as one entry (weight summed, `count`).
   */
  eventLogSize?: number;
}

/** What the reputation API shows for an address: its score, its network's, and the events behind them. */
export interface ReputationReport {
  readonly ip: string;
  readonly subject: string;
  readonly score: number;
  readonly prefix: string | null;
  readonly prefixScore: number | null;
  readonly events: readonly LoggedEvent[];
  readonly prefixEvents: readonly LoggedEvent[];
}

type PendingEvents = Map<string, Map<ReputationEventKind, { weight: number; count: number; time: number }>>;

interface Cached {
  readonly fetchedAt: number;
  /** Units per epoch as stored, at fetch time. */
  readonly units: Map<number, number>;
}

type Pending = Map<string, Map<number, number>>;

function addUnits(into: Pending, subject: string, epoch: number, units: number): void {
  let epochs = into.get(subject);
  if (epochs === undefined) {
    epochs = new Map();
    into.set(subject, epochs);
  }
  epochs.set(epoch, (epochs.get(epoch) ?? 0) + units);
}

export class Reputation implements Closeable {
  readonly #kv: KeyValueStore;
  readonly #clock: Clock;
  readonly #halfLifeMs: number;
  readonly #weights: Record<ReputationEventKind, number>;
  readonly #prefix: string;
  readonly #v4Bits: number;
  readonly #v6Bits: number;
  readonly #cacheMs: number;
  readonly #maxCached: number;
  readonly #flushIntervalMs: number;
  readonly #maxPending: number;
  readonly #onError: (error: unknown) => void;
  readonly #cache = new Map<string, Cached>();
  #pending: Pending = new Map();
  #pendingCount = 0;
  /** Increments handed to the store but not yet confirmed: still counted locally. */
  #inflight: Pending = new Map();
  #flushing: Promise<void> = Promise.resolve();
  /** Bumped when a flush lands, so a read that raced with it is neither cached nor trusted. */
  #generation = 0;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #prefixV4Bits: number | undefined;
  readonly #prefixV6Bits: number | undefined;
  readonly #log: ReputationEventLog | undefined;
  #pendingEvents: PendingEvents = new Map();

  constructor(options: ReputationOptions) {
    this.#kv = options.kv;
    this.#clock = options.clock;
    this.#halfLifeMs = options.halfLifeMs ?? 15 * 60_000;
    if (!Number.isSafeInteger(this.#halfLifeMs) || this.#halfLifeMs <= 0) throw new RangeError('halfLifeMs must be a positive integer');
    this.#weights = { ...DEFAULT_REPUTATION_WEIGHTS };
    for (const [kind, w] of Object.entries(options.weights ?? {})) {
      if (!isReputationEventKind(kind)) throw new TypeError(`unknown reputation event kind ${kind}`);
      if (w === undefined) continue;
      checkWeight(w);
      this.#weights[kind] = w;
    }
    this.#prefix = options.keyPrefix ?? 'rep:';
    this.#v4Bits = options.v4Bits ?? 32;
    this.#v6Bits = options.v6Bits ?? 64;
    this.#cacheMs = options.cacheMs ?? 1000;
    this.#maxCached = options.maxCached ?? 100_000;
    this.#flushIntervalMs = options.flushIntervalMs ?? 250;
    this.#maxPending = options.maxPending ?? 10_000;
    this.#prefixV4Bits = options.prefixV4Bits;
    this.#prefixV6Bits = options.prefixV6Bits;
    const logSize = options.eventLogSize ?? 0;
    this.#log = logSize > 0 ? new ReputationEventLog({ kv: this.#kv, size: logSize, keyPrefix: `${this.#prefix}ev:` }) : undefined;
    this.#onError = options.onError ?? ((error) => {
      process.emitWarning(`reputation store error: ${String(error)}`, 'RampartReputation');
    });
    if (this.#flushIntervalMs > 0) {
      this.#timer = setInterval(() => { void this.flush(); }, this.#flushIntervalMs);
      this.#timer.unref();
    }
  }

  /** The subject an address is scored under (e.g. `203.0.113.7/32`, `2001:db8:1:2::/64`). */
  subject(ip: string): string {
    return ipPrefix(ip, this.#v4Bits, this.#v6Bits);
  }

  /** The network `ip` is also scored under (`prefixV4Bits`/`prefixV6Bits`), or undefined when off or the same. */
  prefixSubject(ip: string): string | undefined {
    if (this.#prefixV4Bits === undefined && this.#prefixV6Bits === undefined) return undefined;
    const p = ipPrefix(ip, this.#prefixV4Bits ?? this.#v4Bits, this.#prefixV6Bits ?? this.#v6Bits);
    return p === this.subject(ip) ? undefined : p;
  }

  /**
   * Records an event against `ip`: `weight` points (default: the kind's weight), decaying from now on.
   * Resolves once buffered (or, with flushIntervalMs 0, once written); never rejects on store errors.
   */
  async record(ip: string, kind: ReputationEventKind, weight?: number): Promise<void> {
    if (!isReputationEventKind(kind)) throw new TypeError(`unknown reputation event kind ${String(kind)}`);
    const w = weight ?? this.#weights[kind];
    checkWeight(w);
    if (w === 0) return;
    const now = this.#clock.now();
    const subject = this.subject(ip);
    const [epoch] = epochsRead(now, this.#halfLifeMs) as [number];
    const units = unitsFor(w, now, this.#halfLifeMs);
    if (!this.#pending.get(subject)?.has(epoch)) this.#pendingCount++;
    addUnits(this.#pending, subject, epoch, units);
    const prefix = this.prefixSubject(ip);
    if (prefix !== undefined) {
      if (!this.#pending.get(prefix)?.has(epoch)) this.#pendingCount++;
      addUnits(this.#pending, prefix, epoch, units);
    }
    if (this.#log !== undefined) {
      for (const s of prefix === undefined ? [subject] : [subject, prefix]) {
        let kinds = this.#pendingEvents.get(s);
        if (kinds === undefined) { kinds = new Map(); this.#pendingEvents.set(s, kinds); }
        const e = kinds.get(kind);
        if (e === undefined) kinds.set(kind, { weight: w, count: 1, time: now });
        else { e.weight += w; e.count++; e.time = now; }
      }
    }
    if (this.#flushIntervalMs === 0) await this.flush();
    else if (this.#pendingCount >= this.#maxPending) void this.flush();
  }

  /** The decayed score of `ip`'s subject, 0 (nothing known) to 100 (clamped). */
  /**
   * The score without waiting, when the stored part is cached and fresh (the common case on the hot path);
   * undefined when it must be fetched (then call `score`).
   */
  scoreNow(ip: string): number | undefined {
    const subject = this.subject(ip);
    const now = this.#clock.now();
    const cached = this.#cache.get(subject);
    if (cached === undefined || now - cached.fetchedAt >= this.#cacheMs) return undefined;
    const pending = this.#pending.get(subject);
    const inflight = this.#inflight.get(subject);
    if (pending === undefined && inflight === undefined && cached.units.size === 0) return 0;
    const units = new Map<number, number>();
    for (const source of [cached.units, pending, inflight]) {
      for (const [epoch, u] of source ?? []) units.set(epoch, (units.get(epoch) ?? 0) + u);
    }
    const wanted = new Set(epochsRead(now, this.#halfLifeMs));
    for (const epoch of units.keys()) if (!wanted.has(epoch)) units.delete(epoch);
    return Math.min(100, Math.max(0, pointsAt(units, now, this.#halfLifeMs)));
  }

  async score(ip: string): Promise<number> {
    return this.#scoreOf(this.subject(ip));
  }

  /** The decayed score of `ip`'s network (see `prefixV4Bits`), or undefined when prefix scoring is off. */
  async prefixScore(ip: string): Promise<number | undefined> {
    const p = this.prefixSubject(ip);
    return p === undefined ? undefined : this.#scoreOf(p);
  }

  /** The score of `ip` and its network and the recent events behind them (for the reputation API). */
  async report(ip: string, limit = 50): Promise<ReputationReport> {
    const subject = this.subject(ip);
    const prefix = this.prefixSubject(ip) ?? null;
    const [score, prefixScore, events, prefixEvents] = await Promise.all([
      this.#scoreOf(subject), prefix === null ? null : this.#scoreOf(prefix),
      this.#log?.recent(subject, limit) ?? [], prefix === null ? [] : this.#log?.recent(prefix, limit) ?? [],
    ]);
    return { ip, subject, score, prefix, prefixScore, events, prefixEvents };
  }

  async #scoreOf(subject: string): Promise<number> {
    const now = this.#clock.now();
    const units = new Map<number, number>();
    let stored = await this.#stored(subject, now);
    if (stored === undefined) stored = (await this.#stored(subject, now)) ?? new Map<number, number>();
    for (const source of [stored, this.#pending.get(subject), this.#inflight.get(subject)]) {
      for (const [epoch, u] of source ?? []) units.set(epoch, (units.get(epoch) ?? 0) + u);
    }
    const wanted = new Set(epochsRead(now, this.#halfLifeMs));
    for (const epoch of units.keys()) if (!wanted.has(epoch)) units.delete(epoch);
    return Math.min(100, Math.max(0, pointsAt(units, now, this.#halfLifeMs)));
  }

  /** Forgets everything about `ip`'s subject (e.g. an operator unban), here and in the store. */
  async forgive(ip: string): Promise<void> {
    const subject = this.subject(ip);
    await this.#flushing;
    const epochs = this.#pending.get(subject);
    if (epochs !== undefined) this.#pendingCount -= epochs.size;
    this.#pending.delete(subject);
    this.#cache.delete(subject);
    this.#pendingEvents.delete(subject);
    const now = this.#clock.now();
    await Promise.all(epochsRead(now, this.#halfLifeMs).map((e) => this.#kv.delete(this.#key(subject, e))));
    await this.#log?.clear(subject);
    this.#cache.delete(subject);
    this.#generation++;
  }

  /** Writes the buffered increments to the store (one incr per subject and epoch). Never rejects. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flushNow());
    return this.#flushing;
  }

  /** Stops the timer and flushes what is buffered. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.flush();
    this.#cache.clear();
  }

  async #flushNow(): Promise<void> {
    if (this.#pendingEvents.size > 0) await this.#flushEvents();
    if (this.#pendingCount === 0) return;
    this.#inflight = this.#pending;
    this.#pending = new Map();
    this.#pendingCount = 0;
    const now = this.#clock.now();
    const writes: Promise<unknown>[] = [];
    for (const [subject, epochs] of this.#inflight) {
      for (const [epoch, units] of epochs) {
        const ttl = epochTtlMs(epoch, now, this.#halfLifeMs);
        if (ttl <= 0) continue;
        writes.push(this.#kv.incr(this.#key(subject, epoch), units, ttl).catch((error: unknown) => this.#onError(error)));
      }
    }
    await Promise.all(writes);
    // The stored values changed under this process's cache: read them again next time.
    for (const subject of this.#inflight.keys()) this.#cache.delete(subject);
    this.#inflight = new Map();
    this.#generation++;
  }

  /** Writes the buffered events to the event log (one entry per subject and kind); errors go to onError. */
  async #flushEvents(): Promise<void> {
    const log = this.#log;
    const batch = this.#pendingEvents;
    this.#pendingEvents = new Map();
    if (log === undefined) return;
    await Promise.all([...batch].map(async ([subject, kinds]) => {
      for (const [kind, e] of kinds) {
        try { await log.append(subject, { kind, weight: e.weight, count: e.count, time: e.time }); } catch (error) { this.#onError(error); return; }
      }
    }));
  }

  /** Stored units per epoch (cached), or undefined when a flush landed during the read (then read again). */
  async #stored(subject: string, now: number): Promise<Map<number, number> | undefined> {
    const cached = this.#cache.get(subject);
    if (cached !== undefined && now - cached.fetchedAt < this.#cacheMs) return cached.units;
    const generation = this.#generation;
    const epochs = epochsRead(now, this.#halfLifeMs);
    let values: (string | undefined)[];
    try {
      values = await Promise.all(epochs.map((e) => this.#kv.get(this.#key(subject, e))));
    } catch (error) {
      this.#onError(error);
      return new Map();
    }
    const units = new Map<number, number>();
    epochs.forEach((epoch, i) => {
      const n = Number(values[i]);
      if (values[i] !== undefined && Number.isFinite(n) && n !== 0) units.set(epoch, n);
    });
    if (generation !== this.#generation) return undefined;
    if (this.#cacheMs > 0) {
      this.#cache.delete(subject);
      if (this.#cache.size >= this.#maxCached) {
        const oldest = this.#cache.keys().next();
        if (oldest.done !== true) this.#cache.delete(oldest.value);
      }
      this.#cache.set(subject, { fetchedAt: now, units });
    }
    return units;
  }

  #key(subject: string, epoch: number): string {
    return `${this.#prefix}${subject}:${epoch}`;
  }
}

function checkWeight(w: number): void {
  if (!Number.isFinite(w) || w < 0 || w > 1000) throw new RangeError(`reputation weight must be in 0..1000, got ${String(w)}`);
}
