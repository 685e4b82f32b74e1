/**
 * Publishing: after every committed change, read one consistent snapshot of the store and hand it to the edge
 * (every worker of this node; in a fleet, every node pulls on notification). Concurrent publishes coalesce:
 * at most one read in flight and one queued.
 */
import type { ConfigDoc, ConfigStore } from '../../state/ports.ts';

export type PushFn = (version: number, docs: ConfigDoc[]) => void;

export class Publisher {
  readonly #store: ConfigStore;
  readonly #push: PushFn;
  #running: Promise<void> | undefined;
  #again = false;
  #lastVersion = -1;

  constructor(store: ConfigStore, push: PushFn) {
    this.#store = store;
    this.#push = push;
  }

  get lastVersion(): number { return this.#lastVersion; }

  /** Publish the current store contents; resolves once a snapshot at least as new as the call has been pushed. */
  publish(): Promise<void> {
    if (this.#running) { this.#again = true; return this.#running; }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          const { version, docs } = await this.#store.snapshot();
          if (version !== this.#lastVersion) { this.#lastVersion = version; this.#push(version, docs); }
        } while (this.#again);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }
}
