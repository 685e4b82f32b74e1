/** What an entry costs against a store's byte bound: body bytes + an estimate of its metadata. */
import type { NewCacheEntry } from '../state/cache-store.ts';

/** Fixed per-entry overhead estimate (maps, object headers, index rows): measured ≈ 1.1 KiB of heap per small entry in MemoryCacheStore including its header strings. */
export const ENTRY_OVERHEAD_BYTES = 768;

export function metaCost(e: Pick<NewCacheEntry, 'key' | 'variant' | 'headers' | 'tags' | 'hostPath'>): number {
  let n = ENTRY_OVERHEAD_BYTES + e.key.length + e.variant.length + e.hostPath.length;
  for (const [k, v] of Object.entries(e.headers)) {
    n += k.length + 4;
    if (typeof v === 'string') n += v.length;
    else for (const s of v) n += s.length + 4;
  }
  for (const t of e.tags) n += t.length + 16;
  return n;
}

/** True when `hostPath` falls under a purge prefix (plain string prefix over host + path). */
export function matchesPrefix(hostPath: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => hostPath.startsWith(normalizePrefix(p)));
}

/** Normalise a purge prefix: strip a scheme, lower-case the host part (paths stay case-sensitive). */
export function normalizePrefix(prefix: string): string {
  const p = prefix.replace(/^https?:\/\//i, '');
  const slash = p.indexOf('/');
  return slash < 0 ? p.toLowerCase() : p.slice(0, slash).toLowerCase() + p.slice(slash);
}
