/**
 * Send a body to the client and into the cache at the same time: `cacheWhileStreaming(source, writer)` yields the
 * origin's chunks unchanged while appending them to the writer; the entry is committed when the source ends, and
 * aborted when the source fails, the consumer stops early (client gone), or the length differs from the
 * Content-Length. A cache failure (entry too large, disk error) only stops caching: the client stream goes on.
 */
import type { CacheEntryMeta, CacheWriter } from '../state/cache-store.ts';

export interface StreamToCacheOptions {
  /** Content-Length announced by the origin: a body of another length is not stored. */
  readonly expectedLength?: number | undefined;
  /** Called once when the entry is committed. */
  readonly onCommit?: (meta: CacheEntryMeta) => void;
  /** Called once when caching was given up (the reason is an Error or a short string). */
  readonly onAbort?: (reason: unknown) => void;
}

export async function* cacheWhileStreaming(
  source: AsyncIterable<Uint8Array>, writer: CacheWriter, options: StreamToCacheOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  let caching = true;
  let finished = false;
  const giveUp = async (reason: unknown): Promise<void> => {
    if (!caching) return;
    caching = false;
    await writer.abort().catch(() => undefined);
    options.onAbort?.(reason);
  };
  try {
    for await (const chunk of source) {
      if (caching) {
        try { await writer.write(chunk); } catch (err) { await giveUp(err); }
      }
      yield chunk;
    }
    finished = true;
  } catch (err) {
    await giveUp(err);
    throw err;
  } finally {
    if (!finished) await giveUp('consumer stopped');
  }
  if (!caching) return;
  if (options.expectedLength !== undefined && writer.bytesWritten !== options.expectedLength) {
    await giveUp('length mismatch');
    return;
  }
  caching = false;
  try {
    options.onCommit?.(await writer.commit());
  } catch (err) {
    await writer.abort().catch(() => undefined);
    options.onAbort?.(err);
  }
}
