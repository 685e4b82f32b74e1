/**
 * A bounded heavy-hitter sketch (Space-Saving, Metwally et al. 2005): at most `capacity` keys are tracked; a new
 * key arriving when the sketch is full replaces the smallest one and inherits its count as its error. Any key
 * whose true count is above total / capacity is guaranteed to be tracked, and `count - error` is a lower bound.
 *
 * Cost: a hit on a tracked key is one Map lookup; a new key when full scans the `capacity` slots (kept small,
 * e.g. 32). Nothing is allocated per hit except the Map entry of a newly admitted key.
 */
export interface HeavyHitter {
  readonly key: string;
  /** Upper bound of the true count. */
  readonly count: number;
  /** `count - error` is a lower bound of the true count. */
  readonly error: number;
}

export class SpaceSaving {
  readonly capacity: number;
  readonly #index = new Map<string, number>();
  readonly #keys: string[] = [];
  readonly #counts: number[] = [];
  readonly #errors: number[] = [];
  #total = 0;

  constructor(capacity = 32) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.capacity = capacity;
  }

  /** Everything counted since the last reset. */
  get total(): number { return this.#total; }

  get size(): number { return this.#keys.length; }

  add(key: string, by = 1): void {
    this.#total += by;
    const i = this.#index.get(key);
    if (i !== undefined) { this.#counts[i]! += by; return; }
    if (this.#keys.length < this.capacity) {
      this.#index.set(key, this.#keys.length);
      this.#keys.push(key); this.#counts.push(by); this.#errors.push(0);
      return;
    }
    let min = 0;
    const counts = this.#counts;
    for (let j = 1; j < counts.length; j++) if (counts[j]! < counts[min]!) min = j;
    const floor = counts[min]!;
    this.#index.delete(this.#keys[min]!);
    this.#index.set(key, min);
    this.#keys[min] = key; counts[min] = floor + by; this.#errors[min] = floor;
  }

  /** Estimated count of `key` (upper bound; 0 when not tracked, which means at most the smallest tracked count). */
  estimate(key: string): number {
    const i = this.#index.get(key);
    return i === undefined ? 0 : this.#counts[i]!;
  }

  /** Visit every tracked key, in no particular order, without allocating. */
  forEach(f: (key: string, count: number, error: number) => void): void {
    for (let i = 0; i < this.#keys.length; i++) f(this.#keys[i]!, this.#counts[i]!, this.#errors[i]!);
  }

  /** Tracked keys, largest count first. */
  top(n = this.capacity): HeavyHitter[] {
    const out: HeavyHitter[] = [];
    for (let i = 0; i < this.#keys.length; i++) out.push({ key: this.#keys[i]!, count: this.#counts[i]!, error: this.#errors[i]! });
    out.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
    return out.length > n ? out.slice(0, n) : out;
  }

  reset(): void {
    this.#index.clear();
    this.#keys.length = 0; this.#counts.length = 0; this.#errors.length = 0;
    this.#total = 0;
  }
}
