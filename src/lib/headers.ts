/** Header helpers for proxies (RFC 9110 §7.6.1). Pure, allocation-light. */

/** Hop-by-hop fields a proxy must not forward (plus those named in Connection). Lower-case. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'http2-settings', 'proxy-authenticate', 'proxy-authorization',
]);

/** Tokens listed in Connection header values (lower-case). Returns undefined when there are none (the common case). */
export function connectionTokens(values: readonly string[]): Set<string> | undefined {
  let out: Set<string> | undefined;
  for (const v of values) {
    if (v.length <= 10) { const l = v.toLowerCase(); if (l === 'keep-alive' || l === 'close') continue; } // the usual values
    for (const t of v.split(',')) {
      const k = t.trim().toLowerCase();
      if (k && k !== 'close' && k !== 'keep-alive') (out ??= new Set()).add(k);
    }
  }
  return out;
}

/** Strip a leading IPv4-mapped IPv6 prefix. */
export function plainIp(addr: string | undefined): string {
  if (!addr) return '';
  return addr.startsWith('::ffff:') && addr.indexOf('.') > 0 ? addr.slice(7) : addr;
}
