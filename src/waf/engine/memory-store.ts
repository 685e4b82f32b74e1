/** In-memory CollectionStore (per process), with TTLs on an injected clock. */
import type { Clock } from '../../lib/clock.ts';
import { systemClock } from '../../lib/clock.ts';
import type { CollectionStore } from './types.ts';

export class MemoryCollectionStore implements CollectionStore {
  #data = new Map<string, { record: Record<string, string>; expires: number }>();
  #clock: Clock;
  constructor(clock: Clock = systemClock) { this.#clock = clock; }

  get(collection: string, key: string): Record<string, string> | undefined {
    const k = collection + '\0' + key;
    const e = this.#data.get(k);
    if (!e) return undefined;
    if (e.expires <= this.#clock.now()) { this.#data.delete(k); return undefined; }
    return { ...e.record };
  }

  set(collection: string, key: string, record: Record<string, string>, ttlSec: number): void {
    this.#data.set(collection + '\0' + key, { record: { ...record }, expires: this.#clock.now() + ttlSec * 1000 });
  }
}
