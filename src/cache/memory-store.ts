/**
 * MemoryCacheStore: an in-process LRU bounded by total bytes (body + metadata estimate) and by an entry size limit.
 * Indexes by key, tag and host make purges by URL, tag, host and prefix cheap (no full scans except purge-all).
 */
import { Readable } from 'node:stream';
import type {
  ByteRange, CacheEntryMeta, CacheStore, CacheStoreStats, CacheWriter, CachedEntry, NewCacheEntry, PurgeSelector,
} from '../state/cache-store.ts';
import type { Clock } from '../lib/clock.ts';
import { systemClock } from '../lib/clock.ts';
import { entryTooLarge, storeClosed, writerClosed } from './errors.ts';
import { variantKey } from './key.ts';
import { metaCost, normalizePrefix } from './entry-cost.ts';
import { ownedConcat } from './buffers.ts';

export interface MemoryCacheStoreOptions {
  /** Bound on the sum of entry costs (body bytes + metadata estimate). */
  readonly maxBytes: number;
  /** Largest body accepted (default: maxBytes / 4). */
  readonly maxEntryBytes?: number;
  readonly clock?: Clock;
}

interface Slot {
  meta: CacheEntryMeta;
  body: Buffer;
  cost: number;
}

/** An entry whose whole body is in memory: the edge may send `buffer` without a stream (treat it as read-only). */
export interface InMemoryEntry extends CachedEntry {
  readonly buffer: Buffer;
}

/** The body bytes of an entry held in memory, or undefined (disk entries stream). */
export function entryBuffer(e: CachedEntry): Buffer | undefined {
  const b = (e as Partial<InMemoryEntry>).buffer;
  return b instanceof Buffer ? b : undefined;
}

function bodyStream(body: Buffer, range?: ByteRange): Readable {
  const b = range === undefined ? body : body.subarray(range.start, range.end + 1);
  return Readable.from(b.length === 0 ? [] : [b], { objectMode: false });
}

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (s === undefined) { s = new Set(); m.set(k, s); }
  s.add(v);
}

function removeFrom<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (s === undefined) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}

export class MemoryCacheStore implements CacheStore {
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  readonly #clock: Clock;
  /** key → variant → slot. */
  readonly #byKey = new Map<string, Map<string, Slot>>();
  /** LRU order: least recently used first (Map keeps insertion order). */
  readonly #lru = new Set<Slot>();
  readonly #byTag = new Map<string, Set<Slot>>();
  readonly #byHost = new Map<string, Set<Slot>>();
  #bytes = 0;
  #closed = false;

  constructor(options: MemoryCacheStoreOptions) {
    this.maxBytes = options.maxBytes;
    this.maxEntryBytes = Math.min(options.maxEntryBytes ?? Math.floor(options.maxBytes / 4), options.maxBytes);
    this.#clock = options.clock ?? systemClock;
  }

  async variants(key: string): Promise<readonly CacheEntryMeta[]> {
    const m = this.#byKey.get(key);
    return m === undefined ? [] : [...m.values()].map((s) => s.meta);
  }

  /** Synchronous lookup (the edge's hot path may use it directly). */
  getSync(key: string, variant: string): CachedEntry | undefined {
    const slot = this.#byKey.get(key)?.get(variant);
    if (slot === undefined) return undefined;
    this.#lru.delete(slot);
    this.#lru.add(slot);
    const { meta, body } = slot;
    return { meta, body: (range?: ByteRange) => bodyStream(body, range), buffer: body } as InMemoryEntry;
  }

  async get(key: string, variant: string): Promise<CachedEntry | undefined> {
    return this.getSync(key, variant);
  }

  /**
   * Synchronous lookup of the variant matching a request (the Vary values, Accept-Encoding normalised), marked as
   * recently used: the edge's hot path for memory hits. Undefined when this store has none.
   */
  lookupSync(key: string, requestHeaders: Readonly<Record<string, string | readonly string[] | undefined>>): InMemoryEntry | undefined {
    const m = this.#byKey.get(key);
    if (m === undefined) return undefined;
    const only = m.size === 1 ? m.values().next().value : undefined;
    if (only !== undefined && only.meta.vary.length === 0) return this.getSync(key, only.meta.variant) as InMemoryEntry;
    for (const slot of m.values()) {
      const want = variantKey(slot.meta.vary, requestHeaders);
      if (m.has(want)) return this.getSync(key, want) as InMemoryEntry | undefined;
    }
    return undefined;
  }

  async createWriter(entry: NewCacheEntry): Promise<CacheWriter> {
    if (this.#closed) throw storeClosed();
    const chunks: Buffer[] = [];
    let bytes = 0;
    let state: 'open' | 'done' = 'open';
    const limit = this.maxEntryBytes;
    return {
      get bytesWritten() { return bytes; },
      write: async (chunk: Uint8Array): Promise<void> => {
        if (state !== 'open') throw writerClosed();
        if (bytes + chunk.byteLength > limit) { state = 'done'; chunks.length = 0; throw entryTooLarge(limit); }
        chunks.push(Buffer.from(chunk));
        bytes += chunk.byteLength;
      },
      commit: async (): Promise<CacheEntryMeta> => {
        if (state !== 'open') throw writerClosed();
        state = 'done';
        const meta: CacheEntryMeta = { ...entry, storedAt: this.#clock.now(), size: bytes };
        this.insert(meta, ownedConcat(chunks, bytes));
        chunks.length = 0;
        return meta;
      },
      abort: async (): Promise<void> => { state = 'done'; chunks.length = 0; },
    };
  }

  /**
   * Insert a complete entry as is (keeps `storedAt`); used by the tiered store to promote disk entries.
   * Returns false when the store is closed or the body exceeds the entry size limit.
   */
  insert(meta: CacheEntryMeta, body: Buffer): boolean {
    if (this.#closed || body.length > this.maxEntryBytes) return false;
    const old = this.#byKey.get(meta.key)?.get(meta.variant);
    if (old !== undefined) this.#remove(old);
    const slot: Slot = { meta, body, cost: body.length + metaCost(meta) };
    let variants = this.#byKey.get(meta.key);
    if (variants === undefined) { variants = new Map(); this.#byKey.set(meta.key, variants); }
    variants.set(meta.variant, slot);
    this.#lru.add(slot);
    for (const t of meta.tags) addTo(this.#byTag, t, slot);
    addTo(this.#byHost, meta.host, slot);
    this.#bytes += slot.cost;
    this.#evict();
    return true;
  }

  #evict(): void {
    while (this.#bytes > this.maxBytes) {
      const oldest = this.#lru.values().next();
      if (oldest.done === true) break;
      this.#remove(oldest.value);
    }
  }

  #remove(slot: Slot): void {
    if (!this.#lru.delete(slot)) return;
    const variants = this.#byKey.get(slot.meta.key);
    if (variants?.get(slot.meta.variant) === slot) {
      variants.delete(slot.meta.variant);
      if (variants.size === 0) this.#byKey.delete(slot.meta.key);
    }
    for (const t of slot.meta.tags) removeFrom(this.#byTag, t, slot);
    removeFrom(this.#byHost, slot.meta.host, slot);
    this.#bytes -= slot.cost;
  }

  async updateMeta(key: string, variant: string, update: Pick<NewCacheEntry, 'headers' | 'requestTime' | 'responseTime'>): Promise<boolean> {
    const slot = this.#byKey.get(key)?.get(variant);
    if (slot === undefined) return false;
    this.#bytes -= slot.cost;
    slot.meta = { ...slot.meta, headers: update.headers, requestTime: update.requestTime, responseTime: update.responseTime };
    slot.cost = slot.body.length + metaCost(slot.meta);
    this.#bytes += slot.cost;
    this.#evict();
    return true;
  }

  async delete(key: string, variant?: string): Promise<number> {
    const variants = this.#byKey.get(key);
    if (variants === undefined) return 0;
    const slots = variant === undefined ? [...variants.values()] : [variants.get(variant)].filter((s) => s !== undefined);
    for (const s of slots) this.#remove(s);
    return slots.length;
  }

  async purge(sel: PurgeSelector): Promise<number> {
    const victims = new Set<Slot>();
    const inZone = (s: Slot): boolean => !('zone' in sel) || sel.zone === undefined || s.meta.zone === sel.zone;
    switch (sel.kind) {
      case 'keys':
        for (const k of sel.keys) for (const s of this.#byKey.get(k)?.values() ?? []) victims.add(s);
        break;
      case 'tags':
        for (const t of sel.tags) for (const s of this.#byTag.get(t.toLowerCase()) ?? []) if (inZone(s)) victims.add(s);
        break;
      case 'hosts':
        for (const h of sel.hosts) for (const s of this.#byHost.get(h.toLowerCase()) ?? []) if (inZone(s)) victims.add(s);
        break;
      case 'prefix':
        for (const raw of sel.prefixes) {
          const p = normalizePrefix(raw);
          const slash = p.indexOf('/');
          const hosts = slash >= 0 ? [p.slice(0, slash)] : [...this.#byHost.keys()].filter((h) => h.startsWith(p));
          for (const h of hosts) for (const s of this.#byHost.get(h) ?? []) if (inZone(s) && s.meta.hostPath.startsWith(p)) victims.add(s);
        }
        break;
      case 'all':
        for (const s of this.#lru) if (inZone(s)) victims.add(s);
        break;
    }
    for (const s of victims) this.#remove(s);
    return victims.size;
  }

  async stats(): Promise<CacheStoreStats> {
    return { entries: this.#lru.size, bytes: this.#bytes };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const s of [...this.#lru]) this.#remove(s);
  }
}
