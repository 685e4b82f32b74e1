/**
 * The simple range format for operators without an MMDB file, one range a line:
 *
 *     start_ip,end_ip,country[,asn[,org]]
 *     203.0.113.0,203.0.113.255,FR,64496,Example Org
 *     2001:db8::,2001:db8::ffff,BE
 *     127.0.9.0/24,,FR            (a CIDR in the first column, end left empty)
 *
 * `#` starts a comment line; a first line whose first column is not an address is a header and skipped. Ranges may
 * nest: the narrowest range containing the address wins. An empty country or asn column means unknown.
 */
import { parseCidr, parseIp } from '../ip.ts';
import type { Ip } from '../ip.ts';
import type { GeoDatabase, GeoRecord } from './record.ts';

export class GeoCsvError extends Error {
  readonly code = 'geoip.bad_csv';
  constructor(message: string) { super(message); this.name = 'GeoCsvError'; }
}

interface Range<T> { start: T; end: T; rec: GeoRecord }

/** How far back a lookup scans for an enclosing range when ranges nest (nesting deeper than this is not supported). */
const MAX_NEST_SCAN = 64;

export function parseGeoCsv(text: string, source = 'csv'): GeoDatabase {
  const v4: Range<number>[] = [];
  const v6: Range<bigint>[] = [];
  const records = new Map<string, GeoRecord>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const cols = splitCsvLine(line);
    const first = (cols[0] ?? '').trim();
    let start: Ip | null;
    let end: Ip | null;
    if (first.includes('/')) {
      const c = parseCidr(first);
      if (!c) throw new GeoCsvError(`${source}:${i + 1}: bad CIDR ${JSON.stringify(first)}`);
      const r = c.range;
      start = r.version === 4 ? { version: 4, value: r.start } : { version: 6, value: r.start };
      end = r.version === 4 ? { version: 4, value: r.end } : { version: 6, value: r.end };
    } else {
      start = parseIp(first);
      if (!start) {
        if (v4.length + v6.length === 0 && i < 5) continue; // a header line
        throw new GeoCsvError(`${source}:${i + 1}: bad start address ${JSON.stringify(first)}`);
      }
      end = parseIp((cols[1] ?? '').trim());
      if (!end) throw new GeoCsvError(`${source}:${i + 1}: bad end address ${JSON.stringify(cols[1] ?? '')}`);
    }
    if (start.version !== end.version || start.value > end.value) throw new GeoCsvError(`${source}:${i + 1}: start and end do not form a range`);
    const country = (cols[2] ?? '').trim().toUpperCase();
    const asnText = (cols[3] ?? '').trim().replace(/^AS/i, '');
    const asn = asnText === '' ? undefined : Number(asnText);
    if (asn !== undefined && (!Number.isInteger(asn) || asn < 0)) throw new GeoCsvError(`${source}:${i + 1}: bad ASN ${JSON.stringify(cols[3])}`);
    const org = (cols[4] ?? '').trim();
    const key = `${country}|${asn ?? ''}|${org}`;
    let rec = records.get(key);
    if (!rec) {
      rec = Object.freeze({ ...(country ? { country } : {}), ...(asn !== undefined ? { asn } : {}), ...(org ? { org } : {}) });
      records.set(key, rec);
    }
    if (start.version === 4) v4.push({ start: start.value, end: end.value as number, rec });
    else v6.push({ start: start.value, end: end.value as bigint, rec });
  }
  // by start ascending, wider first: the last start <= address is then the narrowest candidate
  v4.sort((a, b) => a.start - b.start || b.end - a.end);
  v6.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.end > b.end ? -1 : a.end < b.end ? 1 : 0));
  const s4 = Uint32Array.from(v4, (r) => r.start);
  const e4 = Uint32Array.from(v4, (r) => r.end);
  const r4 = v4.map((r) => r.rec);
  const s6 = v6.map((r) => r.start);
  const e6 = v6.map((r) => r.end);
  const r6 = v6.map((r) => r.rec);
  return {
    kind: 'csv',
    size: v4.length + v6.length,
    get(ip: Ip): GeoRecord | undefined {
      if (ip.version === 4) {
        const v = ip.value;
        let lo = 0, hi = s4.length - 1, at = -1;
        while (lo <= hi) { const mid = (lo + hi) >> 1; if (s4[mid]! <= v) { at = mid; lo = mid + 1; } else hi = mid - 1; }
        for (let k = at, n = 0; k >= 0 && n < MAX_NEST_SCAN; k--, n++) if (e4[k]! >= v) return r4[k];
        return undefined;
      }
      const v = ip.value;
      let lo = 0, hi = s6.length - 1, at = -1;
      while (lo <= hi) { const mid = (lo + hi) >> 1; if (s6[mid]! <= v) { at = mid; lo = mid + 1; } else hi = mid - 1; }
      for (let k = at, n = 0; k >= 0 && n < MAX_NEST_SCAN; k--, n++) if (e6[k]! >= v) return r6[k];
      return undefined;
    },
  };
}

/** Split one CSV line; double quotes around a field allow commas in it ("" is a quote). */
function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out;
}
