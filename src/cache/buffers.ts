/** Byte helpers for stores that keep bodies in memory. */

/**
 * Concatenate into a buffer of its own. Buffer.concat/Buffer.from take small buffers from a shared 8 KiB pool
 * slab; a long-lived cache body sliced from a slab would pin the whole slab.
 */
export function ownedConcat(chunks: readonly Uint8Array[], total: number): Buffer {
  const out = Buffer.allocUnsafeSlow(total);
  let off = 0;
  for (const c of chunks) { out.set(c, off); off += c.byteLength; }
  return out;
}
