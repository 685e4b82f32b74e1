/**
 * Cache-busting defence: a per-zone cap on the distinct query variants cached per path. A flood of
 * `/?rnd=123`-style requests would otherwise fill the cache and evict useful objects; past the cap, new query
 * variants of a path are fetched but not stored. Per-process and approximate: tracked paths are an LRU bounded by
 * `maxPaths`, so a path forgotten under pressure starts counting again.
 */
export interface QueryVariantLimiterOptions {
  /** Distinct query strings cached per (zone, host + path). */
  readonly maxVariantsPerPath: number;
  /** Paths tracked (LRU), default 100,000. */
  readonly maxPaths?: number;
}

export class QueryVariantLimiter {
  readonly #maxVariants: number;
  readonly #maxPaths: number;
  readonly #paths = new Map<string, Set<string>>();

  constructor(o: QueryVariantLimiterOptions) {
    this.#maxVariants = o.maxVariantsPerPath;
    this.#maxPaths = o.maxPaths ?? 100_000;
  }

  /** May a response for this query (the key's query part) be stored? Records it when admitted. */
  admit(zone: string, hostPath: string, query: string): boolean {
    const k = `${zone}|${hostPath}`;
    let set = this.#paths.get(k);
    if (set !== undefined) {
      this.#paths.delete(k);
      this.#paths.set(k, set);
    } else {
      set = new Set();
      this.#paths.set(k, set);
      if (this.#paths.size > this.#maxPaths) {
        const oldest = this.#paths.keys().next();
        if (oldest.done !== true) this.#paths.delete(oldest.value);
      }
    }
    if (set.has(query)) return true;
    if (set.size >= this.#maxVariants) return false;
    set.add(query);
    return true;
  }

  /** Forget a path's variants (after a purge). */
  forget(zone: string, hostPath: string): void {
    this.#paths.delete(`${zone}|${hostPath}`);
  }

  get trackedPaths(): number { return this.#paths.size; }
}
