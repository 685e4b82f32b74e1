/**
 * Publish/subscribe between the nodes of a fleet over Redis pub/sub.
 *
 * `publish` is PUBLISH `{prefix}ev:{channel}` on the command connection. Subscriptions use a dedicated subscriber
 * connection (`client.duplicate()` unless one is given); `subscribe` resolves once Redis confirmed the SUBSCRIBE.
 * SUBSCRIBE/UNSUBSCRIBE calls are serialised on one queue, so concurrent subscribe/unsubscribe of a channel keep
 * the bookkeeping exact. When the subscriber connection comes back after an outage, this bus re-subscribes every
 * channel that still has handlers (ioredis' own autoResubscribe is turned off on the connection it creates: its
 * re-subscribe promise has no rejection handler). Messages published while a node was disconnected are lost
 * (at-most-once). A handler that throws is reported to `onError` and does not affect the others.
 */
import type { Redis } from 'ioredis';
import type { Closeable, EventBus, Unsubscribe } from '../ports.ts';
import { redisCall } from './redis-errors.ts';

export interface RedisEventBusOptions {
  /** The command connection, used for PUBLISH (shared; the caller closes it). */
  client: Redis;
  /** A dedicated connection for SUBSCRIBE (the caller closes it). Default: `client.duplicate()`, owned and closed by
   * this bus. */
  subscriber?: Redis;
  /** Prepended to every channel name. Default 'rampart:'. */
  prefix?: string;
  /** Called when a handler throws or a re-subscription after a reconnect fails. Default: process.emitWarning. */
  onError?: (error: unknown, channel: string) => void;
}

interface Subscription {
  readonly handler: (message: string) => void;
}

export class RedisEventBus implements EventBus, Closeable {
  readonly #client: Redis;
  readonly #subscriber: Redis;
  readonly #ownsSubscriber: boolean;
  readonly #prefix: string;
  readonly #onError: (error: unknown, channel: string) => void;
  /** Full channel name → its live subscriptions. */
  readonly #channels = new Map<string, Set<Subscription>>();
  /** Channels Redis confirmed on the current subscriber connection. */
  readonly #confirmed = new Set<string>();
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #onMessage: (channel: string, message: string) => void;
  readonly #onReady: () => void;
  readonly #onClose: () => void;

  constructor(options: RedisEventBusOptions) {
    this.#client = options.client;
    this.#prefix = `${options.prefix ?? 'rampart:'}ev:`;
    this.#onError = options.onError ?? ((error, channel) => {
      process.emitWarning(`event bus (${channel}): ${String(error)}`, 'RampartEventBus');
    });
    if (options.subscriber === undefined) {
      this.#subscriber = options.client.duplicate({ autoResubscribe: false });
      this.#subscriber.on('error', () => {}); // the command connection reports outages
      this.#ownsSubscriber = true;
    } else {
      this.#subscriber = options.subscriber;
      this.#ownsSubscriber = false;
    }
    this.#onMessage = (channel, message) => this.#deliver(channel, message);
    this.#onClose = () => this.#confirmed.clear();
    this.#onReady = () => { this.#resubscribe(); };
    this.#subscriber.on('message', this.#onMessage);
    this.#subscriber.on('close', this.#onClose);
    this.#subscriber.on('ready', this.#onReady);
  }

  async publish(channel: string, message: string): Promise<void> {
    this.#checkOpen();
    await redisCall(this.#client, () => this.#client.publish(this.#prefix + channel, message));
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<Unsubscribe> {
    this.#checkOpen();
    const full = this.#prefix + channel;
    // Wrapped so that the same function subscribed twice gets two independent subscriptions.
    const sub: Subscription = { handler };
    await this.#serial(async () => {
      this.#checkOpen();
      if (!this.#confirmed.has(full)) {
        await redisCall(this.#subscriber, () => this.#subscriber.subscribe(full));
        this.#confirmed.add(full);
      }
      let subs = this.#channels.get(full);
      if (subs === undefined) {
        subs = new Set();
        this.#channels.set(full, subs);
      }
      subs.add(sub);
    });
    return async () => {
      const subs = this.#channels.get(full);
      if (subs === undefined || !subs.delete(sub)) return;
      if (subs.size > 0) return;
      this.#channels.delete(full);
      // Nothing is delivered to this handler any more; telling Redis is best effort (a dropped connection forgets
      // its subscriptions anyway, and a stray message for a channel without handlers is ignored).
      await this.#serial(async () => {
        if (this.#channels.has(full) || !this.#confirmed.has(full)) return;
        this.#confirmed.delete(full);
        await this.#subscriber.unsubscribe(full);
      }).catch(() => {});
    };
  }

  /** Drops every subscription; closes the subscriber connection when this bus created it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const channels = [...this.#channels.keys()];
    this.#channels.clear();
    this.#subscriber.off('message', this.#onMessage);
    this.#subscriber.off('close', this.#onClose);
    this.#subscriber.off('ready', this.#onReady);
    if (this.#ownsSubscriber) {
      this.#subscriber.disconnect();
    } else if (channels.length > 0 && this.#subscriber.status === 'ready') {
      await this.#serial(() => this.#subscriber.unsubscribe(...channels).then(() => {})).catch(() => {});
    }
  }

  #deliver(channel: string, message: string): void {
    const subs = this.#channels.get(channel);
    if (subs === undefined) return;
    for (const sub of [...subs]) {
      if (!subs.has(sub)) continue; // unsubscribed by an earlier handler of this message
      try {
        sub.handler(message);
      } catch (error) {
        this.#onError(error, channel.slice(this.#prefix.length));
      }
    }
  }

  /** After a reconnect: subscribe again to every channel that has handlers. */
  #resubscribe(): void {
    if (this.#closed || this.#channels.size === 0) return;
    this.#serial(async () => {
      const missing = [...this.#channels.keys()].filter((c) => !this.#confirmed.has(c));
      if (missing.length === 0 || this.#subscriber.status !== 'ready') return;
      await this.#subscriber.subscribe(...missing);
      for (const c of missing) this.#confirmed.add(c);
    }).catch((error: unknown) => {
      // Lost again meanwhile: the next 'ready' retries. Still connected: retry shortly.
      this.#onError(error, '*resubscribe*');
      if (!this.#closed && this.#subscriber.status === 'ready') setTimeout(() => this.#resubscribe(), 500).unref();
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.then(() => {}, () => {});
    return run;
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('RedisEventBus is closed');
  }
}
