/** A multi-valued collection with case-insensitive keys that remembers each key's original spelling and order. */
export interface Entry { key: string; value: string }

export class KeyedCollection {
  readonly name: string;
  #map = new Map<string, Entry[]>();
  #size = 0;
  constructor(name: string) { this.name = name; }

  get size(): number { return this.#size; }

  add(key: string, value: string): void {
    const lk = key.toLowerCase();
    const list = this.#map.get(lk);
    if (list) list.push({ key, value });
    else this.#map.set(lk, [{ key, value }]);
    this.#size++;
  }

  set(key: string, value: string): void {
    const lk = key.toLowerCase();
    const old = this.#map.get(lk);
    if (old) this.#size -= old.length;
    this.#map.set(lk, [{ key, value }]);
    this.#size++;
  }

  remove(key: string): void {
    const lk = key.toLowerCase();
    const old = this.#map.get(lk);
    if (old) { this.#size -= old.length; this.#map.delete(lk); }
  }

  clear(): void { this.#map.clear(); this.#size = 0; }

  get(key: string): Entry[] { return this.#map.get(key.toLowerCase()) ?? []; }

  first(key: string): string | undefined { return this.#map.get(key.toLowerCase())?.[0]?.value; }

  has(key: string): boolean { return this.#map.has(key.toLowerCase()); }

  *entries(): Iterable<Entry> {
    for (const list of this.#map.values()) yield* list;
  }

  /** Distinct keys (first spelling) in insertion order. */
  keys(): string[] {
    const out: string[] = [];
    for (const list of this.#map.values()) if (list[0]) out.push(list[0].key);
    return out;
  }
}
