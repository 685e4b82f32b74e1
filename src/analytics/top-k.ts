/**
 * Top-K by the space-saving algorithm (Metwally et al.), in an amortised form: up to 2K keys are counted; when a
 * new key finds the table full, the K largest are kept and `floor` becomes the largest count dropped. A key not in
 * the table has a true count ≤ floor, so a new key starts at floor + 1 with error floor: every count is an upper
 * bound and `count - error` a lower bound. Hits on a present key cost one Map update; an eviction (one per K new
 * keys at most) sorts 2K entries. Exact (error 0, floor 0) while fewer than 2K distinct keys were seen.
 */
import type { AnalyticsTopSketch } from '../state/ports.ts';

export const DEFAULT_TOP_K = 100;

export class SpaceSaving {
  readonly k: number;
  floor = 0;
  readonly counts = new Map<string, number>();
  /** Only keys inserted while floor > 0 have an error. */
  readonly errors = new Map<string, number>();
  #buf: Float64Array | undefined;

  constructor(k = DEFAULT_TOP_K) {
    if (!Number.isSafeInteger(k) || k < 1) throw new RangeError('top-K size must be a positive integer');
    this.k = k;
  }

  add(key: string, by = 1): void {
    const c = this.counts.get(key);
    if (c !== undefined) { this.counts.set(key, c + by); return; }
    if (this.counts.size >= 2 * this.k) this.#evict();
    this.counts.set(key, this.floor + by);
    if (this.floor > 0) this.errors.set(key, this.floor);
  }

  #evict(): void {
    // the K-th largest count by a numeric sort of a reused buffer, then one pass deleting what is below it
    const n = this.counts.size;
    const buf = (this.#buf ??= new Float64Array(2 * this.k));
    let i = 0;
    for (const c of this.counts.values()) buf[i++] = c;
    const sorted = buf.subarray(0, n).sort();
    const threshold = sorted[n - this.k]!;
    let tiesKept = 0;
    for (let j = n - this.k; j < n; j++) if (sorted[j] === threshold) tiesKept++;
    for (const [key, c] of this.counts) {
      if (c > threshold) continue;
      if (c === threshold && tiesKept > 0) { tiesKept--; continue; }
      if (c > this.floor) this.floor = c;
      this.counts.delete(key);
      this.errors.delete(key);
    }
  }

  /** The K largest as a sketch (its floor accounts for the keys left out). */
  toSketch(): AnalyticsTopSketch {
    return truncate(this.floor, [...this.counts.entries()].map(([key, c]) => [key, c, this.errors.get(key) ?? 0] as const), this.k);
  }
}

function truncate(floor: number, items: Array<readonly [string, number, number]>, k: number): AnalyticsTopSketch {
  items.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let f = floor;
  for (let i = k; i < items.length; i++) if (items[i]![1] > f) f = items[i]![1];
  return { floor: f, items: items.length > k ? items.slice(0, k) : items };
}

/**
 * Merge two sketches of disjoint streams (two workers, two minutes): a key listed in one only gets the other's
 * floor added to its count and error (it may have been there, uncounted). Keeps the `k` largest.
 */
export function mergeTopSketches(a: AnalyticsTopSketch, b: AnalyticsTopSketch, k = DEFAULT_TOP_K): AnalyticsTopSketch {
  if (b.items.length === 0 && b.floor === 0) return a.items.length > k ? truncate(a.floor, [...a.items], k) : a;
  if (a.items.length === 0 && a.floor === 0) return b.items.length > k ? truncate(b.floor, [...b.items], k) : b;
  const m = new Map<string, [number, number]>();
  for (const [key, c, e] of a.items) m.set(key, [c + b.floor, e + b.floor]);
  for (const [key, c, e] of b.items) {
    const x = m.get(key);
    if (x === undefined) m.set(key, [c + a.floor, e + a.floor]);
    else { x[0] += c - b.floor; x[1] += e - b.floor; }
  }
  return truncate(a.floor + b.floor, [...m.entries()].map(([key, [c, e]]) => [key, c, e] as const), k);
}

/** Validates a sketch from outside (a delta); throws RangeError naming `where`. */
export function checkTopSketch(s: unknown, where: string): void {
  if (typeof s !== 'object' || s === null) throw new RangeError(`${where}: not an object`);
  const { floor, items } = s as { floor?: unknown; items?: unknown };
  if (typeof floor !== 'number' || !Number.isFinite(floor) || floor < 0) throw new RangeError(`${where}.floor: not a non-negative number`);
  if (!Array.isArray(items)) throw new RangeError(`${where}.items: not an array`);
  for (const it of items as unknown[]) {
    if (!Array.isArray(it) || it.length !== 3 || typeof it[0] !== 'string' || typeof it[1] !== 'number' || typeof it[2] !== 'number'
      || !Number.isFinite(it[1]) || !Number.isFinite(it[2]) || it[1] < 0 || it[2] < 0 || it[2] > it[1]) {
      throw new RangeError(`${where}.items: each item must be [key, count ≥ 0, 0 ≤ error ≤ count]`);
    }
  }
}

/**
 * An n-way merge of top-K sketches (a query over many rows): the same bounds as folding `mergeTopSketches`
 * pairwise, in O(items) per sketch. A key's count is kept relative to the running sum of floors, so a sketch
 * that does not list a key costs nothing for it.
 */
export class TopMerger {
  readonly #k: number;
  /** Upper bound for a key not in the map. */
  #absent = 0;
  /** Sum of the floors added so far. */
  #g = 0;
  /** key → [count − g, error − g]. */
  readonly #m = new Map<string, [number, number]>();

  constructor(k = DEFAULT_TOP_K) { this.#k = k; }

  add(s: AnalyticsTopSketch): void {
    const f = s.floor;
    const g = this.#g + f;
    for (const [key, c, e] of s.items) {
      const x = this.#m.get(key);
      if (x !== undefined) { x[0] += c - f; x[1] += e - f; }
      else this.#m.set(key, [this.#absent + c - g, this.#absent + e - g]);
    }
    this.#absent += f;
    this.#g = g;
    if (this.#m.size > 20 * this.#k) this.#cut(10 * this.#k);
  }

  #cut(keep: number): void {
    const byCount = [...this.#m.entries()].sort((a, b) => b[1][0] - a[1][0]);
    for (let i = keep; i < byCount.length; i++) {
      const [key, [c]] = byCount[i]!;
      if (c + this.#g > this.#absent) this.#absent = c + this.#g;
      this.#m.delete(key);
    }
  }

  /** The merged sketch, truncated to K. */
  result(): AnalyticsTopSketch {
    const g = this.#g;
    return truncate(this.#absent, [...this.#m.entries()].map(([key, [c, e]]) => [key, c + g, e + g] as const), this.#k);
  }
}
