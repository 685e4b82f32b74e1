/** Public result shapes of a transaction. */
export interface Interruption {
  action: 'deny' | 'drop' | 'redirect' | 'allow';
  status: number;
  ruleId: number;
  url?: string;
}

export interface MatchRecord {
  id: number;
  msg: string;
  data: string;
  severity: string;
  tags: string[];
  phase: number;
  /** name of the last matched variable, e.g. `ARGS:q` */
  variable: string;
  /** the rule's disruptive action would interrupt (deny/drop/redirect) */
  disruptive: boolean;
}

/**
 * Persistent collections (IP, GLOBAL, SESSION, USER, RESOURCE), synchronous so rules never await. The integrator
 * backs it with a KeyValueStore snapshot/cache; `MemoryCollectionStore` is the in-process default.
 */
export interface CollectionStore {
  get(collection: string, key: string): Record<string, string> | undefined;
  set(collection: string, key: string, record: Record<string, string>, ttlSec: number): void;
}
