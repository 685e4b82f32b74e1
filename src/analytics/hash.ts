/**
 * A fast 32-bit string hash (MurmurHash3's mixing, one UTF-16 code unit per round, fmix32 finaliser) for the
 * HyperLogLog. Not cryptographic: an attacker who chooses many IPs can skew a zone's unique count, nothing more.
 */
export function hash32(s: string, seed = 0x9747b28c): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) {
    let k = s.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= s.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
