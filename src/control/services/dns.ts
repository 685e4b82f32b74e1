/**
 * DNS records of zones (Cloudflare's dns_records), and the authoritative view built from every zone: proxied
 * A/AAAA/CNAME records answer with the edge's addresses, the rest with their content.
 */
import { checkZone, dnsRecordSchema, DnsPublisher } from '../../dns/index.ts';
import type { DnsRecord, DnsZoneInput } from '../../dns/index.ts';
import type { ConfigDoc } from '../../state/ports.ts';
import type { Zone } from '../../config/schema.ts';
import type { ResourceKind } from './zone-resources.ts';

export const DNS_RECORD_KIND = 'dns_record';

export const DNS_RECORDS: ResourceKind<DnsRecord> = {
  kind: DNS_RECORD_KIND,
  noun: 'DNS record',
  schema: dnsRecordSchema as unknown as ResourceKind<DnsRecord>['schema'],
  // Cloudflare's `ttl: 1` means automatic
  normalise: (b) => (b['ttl'] === 1 ? { ...b, ttl: 300 } : b),
  checkSet: (records, zoneName) => checkZone({ name: zoneName, serial: 1, records: [...records] }),
};

export interface DnsViewOptions {
  readonly nameservers: readonly string[];
}

/** The DNS zones to serve, from the stored zones and their records. */
export function dnsZonesFrom(docs: readonly ConfigDoc[], o: DnsViewOptions): DnsZoneInput[] {
  const records = new Map<string, DnsRecord[]>();
  for (const d of docs) {
    if (d.kind !== DNS_RECORD_KIND || d.zoneId === null) continue;
    let l = records.get(d.zoneId); if (!l) records.set(d.zoneId, l = []); l.push(d.data as DnsRecord);
  }
  // ACME DNS-01 challenges in progress (src/control/services/acme.ts) answer as TXT records
  for (const d of docs) {
    if (d.kind !== 'acme_dns01' || d.zoneId === null) continue;
    const c = d.data as { name: string; content: string };
    let l = records.get(d.zoneId); if (!l) records.set(d.zoneId, l = []);
    l.push({ id: 'acme-' + d.id, type: 'TXT', name: c.name + '.', content: c.content, ttl: 60, proxied: false } as DnsRecord);
  }
  const out: DnsZoneInput[] = [];
  for (const d of docs) {
    if (d.kind !== 'zone') continue;
    const z = d.data as Zone;
    out.push({ name: z.name, serial: 1, records: records.get(z.id) ?? [], nameservers: [...o.nameservers] });
  }
  return out;
}

export { DnsPublisher };
