/** RFC 1035 master-file export of a zone; `parseZoneFile` reads it back to the same records. */
import { canonicalName, relativeName, resolveOwner } from './names.ts';
import { dnsZoneSchema } from './schemas.ts';
import type { DnsRecord, DnsZoneInput } from './schemas.ts';

function abs(n: string): string {
  const c = canonicalName(n);
  return c === '' ? '.' : `${c}.`;
}

/** Quote a TXT string: printable ASCII kept, '"' and '\' escaped, other bytes as \DDD, cut into 255-byte strings. */
export function quoteTxt(s: string): string {
  const b = Buffer.from(s, 'utf8');
  const parts: string[] = [];
  for (let i = 0; i === 0 || i < b.length; i += 255) {
    let q = '"';
    for (const byte of b.subarray(i, i + 255)) {
      if (byte === 0x22 || byte === 0x5c) q += `\\${String.fromCharCode(byte)}`;
      else if (byte >= 0x20 && byte < 0x7f) q += String.fromCharCode(byte);
      else q += `\\${String(byte).padStart(3, '0')}`;
    }
    parts.push(`${q}"`);
  }
  return parts.join(' ');
}

function rdata(r: DnsRecord): string {
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return r.content;
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return abs(r.content);
    case 'MX':
      return `${r.priority} ${abs(r.content)}`;
    case 'TXT':
      return quoteTxt(r.content);
    case 'SRV':
      return `${r.data.priority} ${r.data.weight} ${r.data.port} ${abs(r.data.target)}`;
    case 'CAA':
      return `${r.data.flags} ${r.data.tag} ${quoteTxt(r.data.value)}`;
    case 'SOA':
      return `${abs(r.data.mname)} ${abs(r.data.rname)} ${r.data.serial ?? 0} ${r.data.refresh} ${r.data.retry} ${r.data.expire} ${r.data.minimum}`;
  }
}

/** Write a zone as a master file: $ORIGIN, $TTL, SOA (with the zone's serial), apex NS, then every record. */
export function exportZoneFile(zoneInput: DnsZoneInput): string {
  const zone = dnsZoneSchema.parse(zoneInput);
  const z = canonicalName(zone.name);
  const soaRec = zone.records.find((r) => r.type === 'SOA');
  const fromRec = soaRec?.type === 'SOA' ? soaRec.data : undefined;
  const s = zone.soa;
  const soaTtl = s?.ttl ?? soaRec?.ttl ?? 3600;
  const lines = [
    `$ORIGIN ${abs(z)}`,
    `$TTL ${soaTtl}`,
    `@ ${soaTtl} IN SOA ${abs(s?.mname ?? fromRec?.mname ?? zone.nameservers[0] ?? `ns1.${z}`)} ${abs(s?.rname ?? fromRec?.rname ?? `hostmaster.${z}`)} (`,
    `    ${zone.serial} ; serial`,
    `    ${s?.refresh ?? fromRec?.refresh ?? 10000} ; refresh`,
    `    ${s?.retry ?? fromRec?.retry ?? 2400} ; retry`,
    `    ${s?.expire ?? fromRec?.expire ?? 604800} ; expire`,
    `    ${s?.minimum ?? fromRec?.minimum ?? 300} ) ; minimum`,
  ];
  for (const ns of zone.nameservers) lines.push(`@ ${soaTtl} IN NS ${abs(ns)}`);
  for (const r of zone.records) {
    if (r.type === 'SOA') continue;
    const owner = relativeName(resolveOwner(r.name, z), z);
    if (r.type === 'NS' && zone.nameservers.length > 0 && owner === '@') continue;
    const tail = r.proxied ? ' ; proxied' : r.comment ? ` ; ${r.comment.replace(/[\r\n]+/g, ' ')}` : '';
    lines.push(`${owner} ${r.ttl} IN ${r.type} ${rdata(r)}${tail}`);
  }
  return `${lines.join('\n')}\n`;
}
