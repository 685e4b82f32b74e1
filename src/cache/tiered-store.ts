/**
 * TieredCacheStore: a MemoryCacheStore in front of a back store (normally DiskCacheStore).
 *
 * Writes go through to both tiers (the memory copy is dropped, silently, when the body outgrows
 * `writeThroughMaxBytes`, 1 MiB by default, so that concurrent large writes do not each hold their body in memory).
 * Reads try memory first; a back-store hit no larger than `promoteMaxBytes` is read whole and promoted to memory;
 * larger bodies stream from the back store. Purges, deletes and metadata updates apply to both tiers.
 * The back store is the source of truth for listings and stats; a memory hit also touches the back store's LRU.
 */
import { Readable } from 'node:stream';
import type {
  CacheEntryMeta, CacheStore, CacheStoreStats, CacheWriter, CachedEntry, NewCacheEntry, PurgeSelector,
} from '../state/cache-store.ts';
import type { InMemoryEntry, MemoryCacheStore } from './memory-store.ts';
import { writerClosed } from './errors.ts';
import { ownedConcat } from './buffers.ts';

export interface TieredCacheStoreOptions {
  readonly memory: MemoryCacheStore;
  readonly back: CacheStore;
  /** Back-store hits up to this size are promoted into memory (default: the memory tier's entry limit). */
  readonly promoteMaxBytes?: number;
  /**
   * Bodies up to this size are also written to memory as they are stored; larger ones go to the back store only
   * (and are promoted on their first hit). Bounds what each in-flight write holds in memory (default 1 MiB).
   */
  readonly writeThroughMaxBytes?: number;
}

async function readWhole(s: Readable): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of s) { const b = c as Uint8Array; parts.push(b); n += b.byteLength; }
  return ownedConcat(parts, n);
}

export class TieredCacheStore implements CacheStore {
  readonly memory: MemoryCacheStore;
  readonly back: CacheStore;
  readonly #promoteMax: number;
  readonly #writeThroughMax: number;

  constructor(o: TieredCacheStoreOptions) {
    this.memory = o.memory;
    this.back = o.back;
    this.#promoteMax = Math.min(o.promoteMaxBytes ?? o.memory.maxEntryBytes, o.memory.maxEntryBytes);
    this.#writeThroughMax = Math.min(o.writeThroughMaxBytes ?? 1024 * 1024, o.memory.maxEntryBytes);
  }

  async variants(key: string): Promise<readonly CacheEntryMeta[]> {
    const back = await this.back.variants(key);
    const seen = new Set(back.map((m) => m.variant));
    return [...back, ...(await this.memory.variants(key)).filter((m) => !seen.has(m.variant))];
  }

  async hotVariants(key: string): Promise<readonly CacheEntryMeta[]> {
    return this.memory.variants(key);
  }

  async get(key: string, variant: string): Promise<CachedEntry | undefined> {
    const hot = this.memory.getSync(key, variant);
    if (hot !== undefined) {
      // Keep the back tier's LRU in step (the disk store records touches in memory: cheap).
      const back = this.back as CacheStore & { touch?: (k: string, v: string) => void };
      if (typeof back.touch === 'function') back.touch(key, variant);
      else void back.get(key, variant).catch(() => undefined);
      return hot;
    }
    const cold = await this.back.get(key, variant);
    if (cold === undefined || cold.meta.size > this.#promoteMax) return cold;
    let body: Buffer;
    try { body = await readWhole(cold.body()); } catch { return undefined; }
    if (body.length !== cold.meta.size) return undefined;
    this.memory.insert(cold.meta, body);
    const promoted: InMemoryEntry = { meta: cold.meta, buffer: body, body: (range) => Readable.from(body.length === 0 ? [] : [range === undefined ? body : body.subarray(range.start, range.end + 1)]) };
    return promoted;
  }

  /** The memory tier's synchronous lookup (MemoryCacheStore.lookupSync), keeping the back tier's LRU in step. */
  lookupSync(key: string, requestHeaders: Readonly<Record<string, string | readonly string[] | undefined>>): InMemoryEntry | undefined {
    const hot = this.memory.lookupSync(key, requestHeaders);
    if (hot !== undefined) {
      const back = this.back as CacheStore & { touch?: (k: string, v: string) => void };
      if (typeof back.touch === 'function') back.touch(key, hot.meta.variant);
    }
    return hot;
  }

  async createWriter(entry: NewCacheEntry): Promise<CacheWriter> {
    const back = await this.back.createWriter(entry);
    const limit = this.#writeThroughMax;
    let chunks: Buffer[] | undefined = [];
    let bytes = 0;
    let state: 'open' | 'done' = 'open';
    return {
      get bytesWritten() { return back.bytesWritten; },
      write: async (chunk: Uint8Array): Promise<void> => {
        if (state !== 'open') throw writerClosed();
        try { await back.write(chunk); } catch (err) { state = 'done'; chunks = undefined; throw err; }
        if (chunks !== undefined) {
          bytes += chunk.byteLength;
          if (bytes > limit) chunks = undefined;
          else chunks.push(Buffer.from(chunk));
        }
      },
      commit: async (): Promise<CacheEntryMeta> => {
        if (state !== 'open') throw writerClosed();
        state = 'done';
        const meta = await back.commit();
        if (chunks !== undefined) this.memory.insert(meta, ownedConcat(chunks, bytes));
        else await this.memory.delete(meta.key, meta.variant); // an older, smaller copy must not shadow the new one
        chunks = undefined;
        return meta;
      },
      abort: async (): Promise<void> => {
        state = 'done';
        chunks = undefined;
        await back.abort();
      },
    };
  }

  async updateMeta(key: string, variant: string, update: Pick<NewCacheEntry, 'headers' | 'requestTime' | 'responseTime'>): Promise<boolean> {
    const [m, b] = await Promise.all([this.memory.updateMeta(key, variant, update), this.back.updateMeta(key, variant, update)]);
    return m || b;
  }

  async delete(key: string, variant?: string): Promise<number> {
    const [m, b] = await Promise.all([this.memory.delete(key, variant), this.back.delete(key, variant)]);
    return Math.max(m, b);
  }

  async purge(selector: PurgeSelector): Promise<number> {
    const [m, b] = await Promise.all([this.memory.purge(selector), this.back.purge(selector)]);
    return Math.max(m, b);
  }

  async stats(): Promise<CacheStoreStats> {
    return this.back.stats();
  }

  async close(): Promise<void> {
    await Promise.all([this.memory.close(), this.back.close()]);
  }
}
