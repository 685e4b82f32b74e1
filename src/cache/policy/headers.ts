/** Plain header maps (lower-case names, as Node's IncomingHttpHeaders) and helpers the cache policy reads them with. */

/** A header map: lower-case names; a repeated field may be an array. */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The field's value, repeated lines joined with ", " (RFC 9110 §5.3); undefined when absent. */
export function getHeader(headers: HeaderMap, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  return v.length === 0 ? undefined : v.join(', ');
}

/** Split a comma-separated list field into trimmed, non-empty members (quoted commas are respected). */
export function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      cur += c;
      if (c === '\\' && i + 1 < value.length) { cur += value[++i]; continue; }
      if (c === '"') quoted = false;
    } else if (c === '"') { quoted = true; cur += c; }
    else if (c === ',') { const t = cur.trim(); if (t !== '') out.push(t); cur = ''; }
    else cur += c;
  }
  const t = cur.trim();
  if (t !== '') out.push(t);
  return out;
}

/** Parse an HTTP-date (IMF-fixdate, RFC 850, asctime); returns ms since epoch or undefined when invalid. */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  // stored Date / Last-Modified / Expires values are read on every hit: parse each once (bounded memo)
  const m = dateMemo.get(value);
  if (m !== undefined || dateMemo.has(value)) return m;
  const r = parseHttpDateUncached(value);
  if (dateMemo.size >= 4096) dateMemo.clear();
  dateMemo.set(value, r);
  return r;
}
const dateMemo = new Map<string, number | undefined>();

function parseHttpDateUncached(value: string): number | undefined {
  const v = value.trim();
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT ; RFC 850: Sunday, 06-Nov-94 08:49:37 GMT ; asctime: Sun Nov  6 08:49:37 1994
  if (!/^[A-Za-z]{3,9},? /.test(v)) return undefined;
  // asctime has no zone: it is GMT by definition.
  const ms = Date.parse(/GMT$/.test(v) ? v : /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/.test(v) ? `${v} GMT` : '');
  return Number.isNaN(ms) ? undefined : ms;
}

/** Format ms since epoch as an IMF-fixdate. */
export function formatHttpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** Hop-by-hop fields never stored nor forwarded from the cache (RFC 9111 §3.1, RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade', 'trailer', 'proxy-authenticate']);

/** Copy of `headers` without hop-by-hop fields, fields named in Connection, and the extra names given. */
export function withoutHeaders(headers: HeaderMap, extra: readonly string[] = []): Record<string, string | string[]> {
  const drop = new Set([...HOP_BY_HOP, ...extra.map((n) => n.toLowerCase())]);
  for (const n of splitList(getHeader(headers, 'connection'))) drop.add(n.toLowerCase());
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const name = k.toLowerCase();
    if (drop.has(name)) continue;
    out[name] = typeof v === 'string' ? v : [...v];
  }
  return out;
}
