/**
 * In-process publish/subscribe (one worker). Delivery is asynchronous (a later microtask), at most once, in publish
 * order per channel; a handler that throws is reported to `onError` and does not affect other handlers.
 */
import type { Closeable, EventBus, Unsubscribe } from '../ports.ts';

export interface MemoryEventBusOptions {
  /** Called when a handler throws. Default: process.emitWarning. */
  onError?: (error: unknown, channel: string) => void;
}

type Handler = (message: string) => void;

export class MemoryEventBus implements EventBus, Closeable {
  readonly #channels = new Map<string, Set<Handler>>();
  readonly #onError: (error: unknown, channel: string) => void;
  #closed = false;

  constructor(options: MemoryEventBusOptions = {}) {
    this.#onError = options.onError ?? ((error, channel) => {
      process.emitWarning(`event bus handler on ${channel} threw: ${String(error)}`, 'RampartEventBus');
    });
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.#closed) throw new Error('MemoryEventBus is closed');
    const handlers = this.#channels.get(channel);
    if (handlers === undefined) return;
    for (const handler of [...handlers]) {
      queueMicrotask(() => {
        // Unsubscribed between publish and delivery: skip.
        if (!this.#channels.get(channel)?.has(handler)) return;
        try {
          handler(message);
        } catch (error) {
          this.#onError(error, channel);
        }
      });
    }
  }

  async subscribe(channel: string, handler: Handler): Promise<Unsubscribe> {
    if (this.#closed) throw new Error('MemoryEventBus is closed');
    // Wrap so the same function subscribed twice gets two independent subscriptions.
    const own: Handler = (message) => handler(message);
    let handlers = this.#channels.get(channel);
    if (handlers === undefined) {
      handlers = new Set();
      this.#channels.set(channel, handlers);
    }
    handlers.add(own);
    return async () => {
      const set = this.#channels.get(channel);
      if (set === undefined) return;
      set.delete(own);
      if (set.size === 0) this.#channels.delete(channel);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#channels.clear();
  }
}
