/** A multi-valued collection with case-insensitive keys that remembers each key's original spelling and order. */
export interface Entry { key: string; value: string }

export class KeyedCollection {
  readonly name: string;
  #map = new Map<string, Entry[]>();
  #size = 0;
  /** flat list of all entries, rebuilt lazily after set/remove */
  #all: Entry[] = [];
  #dirty = false;
  constructor(name: string) { this.name = name; }

  get size(): number { return this.#size; }

  add(key: string, value: string): void {
    const lk = key.toLowerCase();
    const list = this.#map.get(lk);
    const e = { key, value };
    if (list) list.push(e);
    else this.#map.set(lk, [e]);
    this.#size++;
    if (list) this.#dirty = true; // keep per-key order in the flat list
    else if (!this.#dirty) this.#all.push(e);
  }

  set(key: string, value: string): void {
    const lk = key.toLowerCase();
    const old = this.#map.get(lk);
    if (old) this.#size -= old.length;
    this.#map.set(lk, [{ key, value }]);
    this.#size++;
    this.#dirty = true;
  }

  remove(key: string): void {
    const lk = key.toLowerCase();
    const old = this.#map.get(lk);
    if (old) { this.#size -= old.length; this.#map.delete(lk); this.#dirty = true; }
  }

  clear(): void { this.#map.clear(); this.#size = 0; this.#all = []; this.#dirty = false; }

  get(key: string): Entry[] { return this.#map.get(key.toLowerCase()) ?? []; }

  first(key: string): string | undefined { return this.#map.get(key.toLowerCase())?.[0]?.value; }

  has(key: string): boolean { return this.#map.has(key.toLowerCase()); }

  /** All entries, grouped by key in first-insertion order of the key. Do not mutate. */
  entries(): readonly Entry[] {
    if (this.#dirty) {
      const all: Entry[] = [];
      for (const list of this.#map.values()) for (const e of list) all.push(e);
      this.#all = all;
      this.#dirty = false;
    }
    return this.#all;
  }

  /** Distinct keys (first spelling) in insertion order. */
  keys(): string[] {
    const out: string[] = [];
    for (const list of this.#map.values()) if (list[0]) out.push(list[0].key);
    return out;
  }
}
