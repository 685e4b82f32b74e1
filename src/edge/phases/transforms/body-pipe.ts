/**
 * Pipes the origin's body through the response transforms (email obfuscation, then compression) to the client and
 * the cache tap, with backpressure both ways: the origin is paused while the first transform's buffer is full,
 * the last transform is paused while the client's socket is. A compressor is flushed when the origin has been
 * quiet for FLUSH_IDLE_MS, so a slowly streamed response reaches the client as it comes, not at its end.
 */
import type { Transform } from 'node:stream';
import type { EdgeResponse, OriginTap, RequestContext } from '../../pipeline/context.ts';

export const FLUSH_IDLE_MS = 10;

export interface BodyTransform {
  /** Applied in order (non-empty). */
  readonly streams: readonly Transform[];
  /** Sync-flush the compressor (when there is one). */
  readonly flush?: (() => void) | undefined;
}

export interface BodySink {
  /** An origin chunk; false means: pause the origin until `resume` is called. */
  write(chunk: Buffer): boolean;
  /** The origin's body is complete: `done(true)` once all of it reached the client, `done(false)` if the client left first. */
  end(done: (ok: boolean) => void): void;
  /** The exchange failed: drop everything buffered (the caller reports the failure to the tap and the client). */
  destroy(): void;
}

export function createBodySink(t: BodyTransform, ctx: RequestContext, tap: OriginTap | undefined, resume: () => void): BodySink {
  const res: EdgeResponse = ctx.res;
  const streams = t.streams;
  const first = streams[0]!;
  const last = streams[streams.length - 1]!;
  for (let i = 0; i + 1 < streams.length; i++) streams[i]!.pipe(streams[i + 1]!);
  let dead = false;
  let waitingDrain = false;
  let onDone: ((ok: boolean) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const finish = (ok: boolean): void => {
    if (timer !== undefined) clearTimeout(timer);
    const d = onDone;
    onDone = undefined;
    d?.(ok);
  };
  const kill = (): void => {
    dead = true;
    if (timer !== undefined) clearTimeout(timer);
    for (const s of streams) s.destroy();
  };
  const onDrain = (): void => { waitingDrain = false; if (!dead) last.resume(); };
  last.on('data', (c: Buffer) => {
    if (dead || res.destroyed) return;
    ctx.bytesOut += c.length;
    tap?.onData(c);
    if (!(res as import('node:http').ServerResponse).write(c) && !waitingDrain) {
      waitingDrain = true;
      last.pause();
      res.once('drain', onDrain);
    }
  });
  last.once('end', () => {
    if (dead) return;
    dead = true;
    res.removeListener('close', onClose);
    tap?.onComplete();
    res.end();
    finish(true);
  });
  first.on('drain', resume);
  const onError = (err: Error): void => {
    if (dead) return;
    kill();
    ctx.errorCode ??= 'edge.transform_failed';
    ctx.errorDetail ??= err.message;
    tap?.onError(err);
    res.destroy(err); // the client sees an incomplete response; the origin exchange is aborted by its close handler
    finish(false);
  };
  for (const s of streams) s.on('error', onError);
  const onClose = (): void => {
    if (dead) return;
    // the client left; if the origin is still sending, its own close handler aborts the exchange
    if (onDone !== undefined) {
      kill();
      ctx.errorCode ??= 'client.closed';
      tap?.onError(new Error('client closed'));
      finish(false);
    }
  };
  res.on('close', onClose);

  return {
    write(chunk) {
      if (dead) return true;
      if (t.flush !== undefined) {
        if (timer === undefined) { timer = setTimeout(() => { if (!dead) t.flush!(); }, FLUSH_IDLE_MS); timer.unref(); }
        else timer.refresh();
      }
      return first.write(chunk);
    },
    end(done) {
      if (dead) { done(false); return; }
      onDone = done;
      if (timer !== undefined) clearTimeout(timer);
      first.end();
    },
    destroy() {
      if (dead) return;
      res.removeListener('close', onClose);
      kill();
      finish(false);
    },
  };
}
