/**
 * The client's network prefix a challenge or clearance is bound to: /24 for IPv4, /64 for IPv6.
 *
 * Private to src/mitigation/ (src/lib/ip.ts is the shared helper; this one stays tiny on purpose).
 * IPv4-mapped IPv6 addresses (`::ffff:192.0.2.7`) count as IPv4. Anything unparsable is bound exactly
 * (`raw:<input>`), so a malformed address never widens a clearance.
 */

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function v4Octets(s: string): number[] | undefined {
  const m = V4.exec(s);
  if (m === null) return undefined;
  const out: number[] = [];
  for (let i = 1; i <= 4; i++) {
    const part = m[i] ?? '';
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** Expand an IPv6 address (with optional embedded IPv4 tail and zone id) into 8 hextets. */
function v6Hextets(input: string): number[] | undefined {
  let s = input;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (!s.includes(':')) return undefined;
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const o = v4Octets(last);
    if (o === undefined) return undefined;
    const hi = (((o[0] ?? 0) << 8) | (o[1] ?? 0)).toString(16);
    const lo = (((o[2] ?? 0) << 8) | (o[3] ?? 0)).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const h of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(h)) return undefined;
      out.push(parseInt(h, 16));
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (head === undefined || rest === undefined) return undefined;
  const explicit = head.length + rest.length;
  if (halves.length === 2) {
    if (explicit > 7) return undefined;
    return [...head, ...new Array<number>(8 - explicit).fill(0), ...rest];
  }
  return explicit === 8 ? head : undefined;
}

/** The binding prefix of `ip`: `v4:a.b.c.0/24`, `v6:h:h:h:h::/64`, or `raw:<ip>` when unparsable. */
export function clientPrefix(ip: string): string {
  const trimmed = ip.trim();
  const o = v4Octets(trimmed);
  if (o !== undefined) return `v4:${o[0]}.${o[1]}.${o[2]}.0/24`;
  const h = v6Hextets(trimmed);
  if (h !== undefined) {
    const mapped = h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0xffff;
    if (mapped) return `v4:${(h[6] ?? 0) >> 8}.${(h[6] ?? 0) & 0xff}.${(h[7] ?? 0) >> 8}.0/24`;
    return `v6:${h.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`;
  }
  return `raw:${trimmed}`;
}
