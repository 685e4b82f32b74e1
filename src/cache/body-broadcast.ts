/**
 * BodyBroadcast: one origin body stream read once and fanned out to several consumers (request coalescing).
 *
 * Chunks are pulled from the source when the fastest consumer needs one, kept until the slowest consumer has
 * passed them, and bounded by `maxBufferedBytes`: a consumer that falls so far behind that the buffer would exceed
 * the bound is cut off with CACHE_COALESCE_OVERFLOW (the others go on). Subscriptions are taken before `seal()`;
 * until then every chunk is kept. When every consumer has gone (finished or broke off) after `seal()`, the source
 * is released (`return()`), so an abandoned origin response does not leak.
 */
import { CacheError } from './errors.ts';

interface Sub {
  pos: number;
  dead: Error | undefined;
  closed: boolean;
}

export class BodyBroadcast {
  readonly #source: AsyncIterator<Uint8Array>;
  readonly #max: number;
  readonly #chunks: Uint8Array[] = [];
  #base = 0;
  #buffered = 0;
  readonly #subs = new Set<Sub>();
  #pulling: Promise<void> | undefined;
  #done = false;
  #error: unknown;
  #failed = false;
  #sealed = false;
  #released = false;

  constructor(source: AsyncIterable<Uint8Array>, maxBufferedBytes: number) {
    this.#source = source[Symbol.asyncIterator]();
    this.#max = maxBufferedBytes;
  }

  /** Chunks currently held. */
  get bufferedBytes(): number { return this.#buffered; }

  /** A new consumer reading the body from its start. Only before `seal()`. */
  subscribe(): AsyncIterableIterator<Uint8Array> {
    if (this.#sealed) throw new Error('BodyBroadcast: subscribe after seal');
    const sub: Sub = { pos: 0, dead: undefined, closed: false };
    this.#subs.add(sub);
    const self = this;
    const it: AsyncIterableIterator<Uint8Array> = {
      [Symbol.asyncIterator]() { return it; },
      next: () => self.#next(sub),
      return: async (): Promise<IteratorResult<Uint8Array>> => { self.#leave(sub); return { done: true, value: undefined }; },
    };
    return it;
  }

  /** No more subscribers: chunks can now be dropped once every consumer has passed them. */
  seal(): void {
    this.#sealed = true;
    this.#trim();
    if (this.#subs.size === 0) this.#release();
  }

  async #next(sub: Sub): Promise<IteratorResult<Uint8Array>> {
    for (;;) {
      if (sub.dead !== undefined) { this.#leave(sub); throw sub.dead; }
      if (sub.closed) return { done: true, value: undefined };
      const idx = sub.pos - this.#base;
      if (idx < this.#chunks.length) {
        const chunk = this.#chunks[idx];
        sub.pos += 1;
        this.#trim();
        if (chunk !== undefined) return { done: false, value: chunk };
        continue;
      }
      if (this.#failed) { this.#leave(sub); throw this.#error; }
      if (this.#done) { this.#leave(sub); return { done: true, value: undefined }; }
      await this.#pull();
    }
  }

  #pull(): Promise<void> {
    if (this.#pulling !== undefined) return this.#pulling;
    this.#pulling = (async () => {
      try {
        const r = await this.#source.next();
        if (r.done === true) this.#done = true;
        else {
          this.#chunks.push(r.value);
          this.#buffered += r.value.byteLength;
          this.#cutLaggards();
        }
      } catch (err) {
        this.#failed = true;
        this.#error = err;
      } finally {
        this.#pulling = undefined;
      }
    })();
    return this.#pulling;
  }

  /** Drop the slowest consumers until the buffer fits (only after seal: before it, nobody has read yet). */
  #cutLaggards(): void {
    while (this.#sealed && this.#buffered > this.#max && this.#chunks.length > 1) {
      let min = Infinity;
      for (const s of this.#subs) if (s.dead === undefined && s.pos < min) min = s.pos;
      if (min === Infinity || min >= this.#base + this.#chunks.length - 1) break;
      for (const s of this.#subs) {
        if (s.dead === undefined && s.pos === min) s.dead = new CacheError('CACHE_COALESCE_OVERFLOW', 'coalesced consumer fell too far behind');
      }
      this.#trim();
    }
  }

  #trim(): void {
    if (!this.#sealed) return;
    let min = Infinity;
    for (const s of this.#subs) if (s.dead === undefined && s.pos < min) min = s.pos;
    if (min === Infinity) min = this.#base + this.#chunks.length;
    while (this.#base < min && this.#chunks.length > 0) {
      const c = this.#chunks.shift();
      this.#buffered -= c?.byteLength ?? 0;
      this.#base += 1;
    }
  }

  #leave(sub: Sub): void {
    sub.closed = true;
    if (!this.#subs.delete(sub)) return;
    this.#trim();
    if (this.#sealed && this.#subs.size === 0) this.#release();
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    if (!this.#done && !this.#failed) void Promise.resolve(this.#source.return?.()).catch(() => undefined);
  }
}
