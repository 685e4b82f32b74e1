/**
 * RFC 1035 master-file import: $ORIGIN, $TTL, relative names, '@', a blank owner repeating the previous one,
 * TTL and class in either order, parentheses, comments, quoted TXT with escapes. Produces validated DnsRecords
 * (names relative to the origin, targets absolute without the trailing dot). A trailing comment `; proxied`
 * (or Cloudflare's `; cf_tags=cf-proxied:true`) marks an A/AAAA/CNAME record as proxied.
 */
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { canonicalName, isInZone, isValidHostname, relativeName } from './names.ts';
import { dnsRecordSchema } from './schemas.ts';
import type { DnsRecord, SoaSettings } from './schemas.ts';
import { lexZoneFile, ZoneFileError } from './zone-file-lexer.ts';
import type { ZoneToken } from './zone-file-lexer.ts';

export { ZoneFileError } from './zone-file-lexer.ts';

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** A TTL or SOA timer: seconds, or BIND units ('1h30m', '2d'). */
export function parseTtl(s: string): number | undefined {
  if (/^[0-9]+$/.test(s)) return Number(s);
  if (!/^([0-9]+[smhdw])+$/i.test(s)) return undefined;
  let total = 0;
  for (const m of s.toLowerCase().matchAll(/([0-9]+)([smhdw])/g)) total += Number(m[1]) * (UNIT[m[2] ?? 's'] ?? 1);
  return total;
}

const TYPES = new Set(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SOA', 'SRV', 'CAA', 'PTR']);

function recordId(owner: string, type: string, rdata: string, seen: Map<string, number>): string {
  const h = createHash('sha256').update(`${owner}|${type}|${rdata}`).digest('hex').slice(0, 12);
  const n = (seen.get(h) ?? 0) + 1;
  seen.set(h, n);
  return n === 1 ? h : `${h}-${n}`;
}

/** Parse a zone file for `origin` into records (the SOA and apex NS included). Throws ZoneFileError. */
export function parseZoneFile(text: string, origin: string): DnsRecord[] {
  const zone = canonicalName(origin);
  let cur = zone;
  let defaultTtl: number | undefined;
  let lastTtl: number | undefined;
  let lastOwner: string | undefined;
  const out: DnsRecord[] = [];
  const seen = new Map<string, number>();

  const absName = (t: ZoneToken, what: string, opts: { wildcard?: boolean; allowRoot?: boolean } = {}): string => {
    if (t.quoted) throw new ZoneFileError(`${what} must not be quoted`, t.line, t.column);
    let n: string;
    if (t.text === '@') n = cur;
    else if (t.text === '.') n = '';
    else if (t.text.endsWith('.')) n = canonicalName(t.text);
    else n = cur === '' ? t.text.toLowerCase() : `${t.text.toLowerCase()}.${cur}`;
    if (n === '' ? opts.allowRoot !== true : !isValidHostname(n, opts)) throw new ZoneFileError(`invalid ${what} '${t.text}'`, t.line, t.column);
    return n;
  };

  for (const e of lexZoneFile(text)) {
    const toks = e.tokens;
    const first = toks[0] as ZoneToken;
    if (!e.blankOwner && first.text.startsWith('$') && !first.quoted) {
      const arg = toks[1];
      const dir = first.text.toUpperCase();
      if (dir === '$ORIGIN') {
        if (!arg) throw new ZoneFileError('$ORIGIN needs a name', first.line, first.column);
        cur = absName(arg, '$ORIGIN name', { allowRoot: true }); // a relative $ORIGIN is appended to the current one
      } else if (dir === '$TTL') {
        const v = arg ? parseTtl(arg.text) : undefined;
        if (!arg || v === undefined) throw new ZoneFileError('$TTL needs a number of seconds', (arg ?? first).line, (arg ?? first).column);
        defaultTtl = v;
      } else {
        throw new ZoneFileError(`unsupported directive ${first.text}`, first.line, first.column);
      }
      continue;
    }
    let k = 0;
    let owner: string;
    if (e.blankOwner) {
      if (lastOwner === undefined) throw new ZoneFileError('no previous owner name for this record', first.line, first.column);
      owner = lastOwner;
    } else {
      owner = absName(first, 'owner name', { wildcard: true });
      k = 1;
    }
    let ttl: number | undefined;
    let typeTok: ZoneToken | undefined;
    for (; k < toks.length; k++) {
      const t = toks[k] as ZoneToken;
      const up = t.text.toUpperCase();
      const asTtl = parseTtl(t.text);
      if (asTtl !== undefined && ttl === undefined) { ttl = asTtl; continue; }
      if (up === 'IN') continue;
      if (up === 'CH' || up === 'HS' || up === 'CS') throw new ZoneFileError(`class ${t.text} is not supported (only IN)`, t.line, t.column);
      typeTok = t;
      k++;
      break;
    }
    if (!typeTok) throw new ZoneFileError('record type missing', first.line, first.column);
    const type = typeTok.text.toUpperCase();
    if (!TYPES.has(type)) throw new ZoneFileError(`unsupported record type '${typeTok.text}'`, typeTok.line, typeTok.column);
    if (!isInZone(owner, zone)) throw new ZoneFileError(`owner ${owner} is outside the zone ${zone}`, (e.blankOwner ? typeTok : first).line, (e.blankOwner ? typeTok : first).column);
    lastOwner = owner;
    const rd = toks.slice(k);
    const need = (n: number): void => {
      if (rd.length < n) throw new ZoneFileError(`${type} needs ${n} field${n > 1 ? 's' : ''}, got ${rd.length}`, typeTok.line, typeTok.column);
      const extra = rd[n];
      if (type !== 'TXT' && extra) throw new ZoneFileError(`unexpected '${extra.text}' after ${type} data`, extra.line, extra.column);
    };
    const num = (t: ZoneToken, max: number, what: string, timer = false): number => {
      const v = timer ? parseTtl(t.text) : /^[0-9]+$/.test(t.text) ? Number(t.text) : undefined;
      if (v === undefined || v > max) throw new ZoneFileError(`invalid ${what} '${t.text}'`, t.line, t.column);
      return v;
    };
    const at = (i: number): ZoneToken => rd[i] as ZoneToken;
    if (type === 'SOA' && ttl === undefined && defaultTtl === undefined && rd.length >= 7) {
      // RFC 2308: without $TTL, the SOA's minimum serves as the default.
      defaultTtl = num(at(6), 4294967295, 'SOA minimum', true);
    }
    const effTtl = ttl ?? defaultTtl ?? lastTtl ?? 3600;
    if (ttl !== undefined) lastTtl = ttl;
    const proxied = /^proxied$|cf-proxied:true/i.test(e.comment);
    const comment = !proxied && e.comment !== '' && type !== 'SOA' ? e.comment.slice(0, 500) : undefined;
    const name = relativeName(owner, zone);
    let rec: Record<string, unknown>;
    switch (type) {
      case 'A':
      case 'AAAA': {
        need(1);
        const ok = type === 'A' ? isIPv4(at(0).text) : isIPv6(at(0).text);
        if (!ok) throw new ZoneFileError(`invalid ${type === 'A' ? 'IPv4' : 'IPv6'} address '${at(0).text}'`, at(0).line, at(0).column);
        rec = { content: at(0).text, proxied };
        break;
      }
      case 'CNAME':
        need(1);
        rec = { content: absName(at(0), 'CNAME target'), proxied };
        break;
      case 'NS':
      case 'PTR':
        need(1);
        rec = { content: absName(at(0), `${type} target`) };
        break;
      case 'MX': {
        need(2);
        const ex = absName(at(1), 'MX exchange', { allowRoot: true });
        rec = { priority: num(at(0), 65535, 'MX preference'), content: ex === '' ? '.' : ex };
        break;
      }
      case 'TXT':
        if (rd.length === 0) throw new ZoneFileError('TXT needs at least one string', typeTok.line, typeTok.column);
        rec = { content: Buffer.concat(rd.map((t) => t.bytes)).toString('utf8') };
        break;
      case 'SRV': {
        need(4);
        const target = absName(at(3), 'SRV target', { allowRoot: true });
        rec = { data: { priority: num(at(0), 65535, 'SRV priority'), weight: num(at(1), 65535, 'SRV weight'), port: num(at(2), 65535, 'SRV port'), target: target === '' ? '.' : target } };
        break;
      }
      case 'CAA':
        need(3);
        rec = { data: { flags: num(at(0), 255, 'CAA flags'), tag: at(1).text, value: at(2).text } };
        break;
      case 'SOA':
        need(7);
        rec = {
          data: {
            mname: absName(at(0), 'SOA mname'),
            rname: absName(at(1), 'SOA rname'),
            serial: num(at(2), 4294967295, 'SOA serial'),
            refresh: num(at(3), 4294967295, 'SOA refresh', true),
            retry: num(at(4), 4294967295, 'SOA retry', true),
            expire: num(at(5), 4294967295, 'SOA expire', true),
            minimum: num(at(6), 4294967295, 'SOA minimum', true),
          },
        };
        break;
      default:
        throw new ZoneFileError(`unsupported record type '${typeTok.text}'`, typeTok.line, typeTok.column);
    }
    const id = recordId(owner, type, JSON.stringify(rec), seen);
    const parsed = dnsRecordSchema.safeParse({ id, type, name, ttl: effTtl, ...rec, ...(comment !== undefined ? { comment } : {}) });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ZoneFileError(`${type} record: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid'}`, typeTok.line, typeTok.column);
    }
    out.push(parsed.data);
  }
  return out;
}

/** What a zone-file import gives a zone: its records (without SOA and apex NS), its SOA settings, serial and NS set. */
export interface ImportedZone {
  records: DnsRecord[];
  soa?: SoaSettings;
  serial?: number;
  nameservers: string[];
}

/** Parse a zone file and split out the SOA and the apex NS set, ready to merge into a zone. */
export function importZoneFile(text: string, origin: string): ImportedZone {
  const all = parseZoneFile(text, origin);
  const soaRec = all.find((r) => r.type === 'SOA');
  const nameservers = all.filter((r) => r.type === 'NS' && r.name === '@').map((r) => (r.type === 'NS' ? r.content : ''));
  const records = all.filter((r) => r.type !== 'SOA' && !(r.type === 'NS' && r.name === '@'));
  const out: ImportedZone = { records, nameservers };
  if (soaRec?.type === 'SOA') {
    const { serial, ...rest } = soaRec.data;
    out.soa = { ...rest, ttl: soaRec.ttl };
    if (serial !== undefined) out.serial = serial;
  }
  return out;
}
