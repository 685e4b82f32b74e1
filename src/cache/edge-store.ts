/**
 * The store an edge process uses: a MemoryCacheStore in front of a DiskCacheStore (TieredCacheStore), or memory
 * only when the disk tier is off.
 *
 * A DiskCacheStore belongs to one process (its index is a SQLite file plus an in-memory LRU order and byte count,
 * and open() deletes other writers' temp files), so several edge workers sharing one cache folder each take a
 * slot of their own: the first free `w<N>` subfolder (`<dir>/w0`, `<dir>/w1`, ...). A slot whose owner died is
 * taken over with its contents, so a restarted worker (or node) finds its predecessor's disk hits again.
 * The cost: every worker caches its own copy of an object (a miss per worker, disk bytes × workers).
 */
import { join } from 'node:path';
import type { CacheStore } from '../state/cache-store.ts';
import { DiskCacheStore } from './disk-store.ts';
import { CacheError } from './errors.ts';
import { MemoryCacheStore } from './memory-store.ts';
import { TieredCacheStore } from './tiered-store.ts';

export interface EdgeCacheStoreOptions {
  /** Memory tier bound in bytes (default 256 MiB). */
  readonly memoryBytes?: number;
  /** Disk tier bound in bytes for this process; 0 or undefined `dir` = no disk tier (default 1 GiB). */
  readonly diskBytes?: number;
  /** The cache folder (e.g. `<data>/cache`); this process uses the first free `w<N>` inside it. */
  readonly dir?: string | undefined;
  /** How many slots to try before giving up on the disk tier (default 256). */
  readonly maxSlots?: number;
  /** fsync bodies before indexing them (default false). */
  readonly fsync?: boolean;
}

export interface EdgeCacheStore {
  readonly store: CacheStore;
  /** The slot folder in use, undefined when memory only. */
  readonly diskDir: string | undefined;
  /** Why the disk tier is off, when it was asked for and could not be opened. */
  readonly diskProblem: string | undefined;
}

export const DEFAULT_MEMORY_BYTES = 256 * 1024 * 1024;
export const DEFAULT_DISK_BYTES = 1024 * 1024 * 1024;

/** Open this process's cache store. Never throws for disk problems: the edge then runs with memory only. */
export async function openEdgeCacheStore(o: EdgeCacheStoreOptions): Promise<EdgeCacheStore> {
  const memBytes = o.memoryBytes ?? DEFAULT_MEMORY_BYTES;
  const memory = new MemoryCacheStore({ maxBytes: memBytes, maxEntryBytes: Math.min(Math.floor(memBytes / 8), 64 * 1024 * 1024) });
  const diskBytes = o.diskBytes ?? DEFAULT_DISK_BYTES;
  if (o.dir === undefined || diskBytes <= 0) return { store: memory, diskDir: undefined, diskProblem: undefined };
  const slots = o.maxSlots ?? 256;
  let problem = 'every slot is in use';
  for (let n = 0; n < slots; n++) {
    const dir = join(o.dir, `w${n}`);
    try {
      const back = await DiskCacheStore.open({ dir, maxBytes: diskBytes, maxEntryBytes: Math.floor(diskBytes / 8), fsync: o.fsync ?? false });
      return { store: new TieredCacheStore({ memory, back }), diskDir: dir, diskProblem: undefined };
    } catch (err) {
      if (err instanceof CacheError && err.code === 'CACHE_STORE_LOCKED') continue;
      problem = (err as Error).message;
      break;
    }
  }
  return { store: memory, diskDir: undefined, diskProblem: problem };
}
