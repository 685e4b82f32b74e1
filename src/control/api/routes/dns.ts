/**
 * DNS records, shaped like Cloudflare's /zones/:id/dns_records (list with ?type= and ?name=, create, get, patch,
 * put, delete), plus zone-file import (RFC 1035 master format) and export.
 */
import { exportZoneFile, importZoneFile, ZoneFileError } from '../../../dns/index.ts';
import type { DnsRecord, DnsSnapshot } from '../../../dns/index.ts';
import type { ZoneResourceService } from '../../services/zone-resources.ts';
import type { ZoneService } from '../../services/zones.ts';
import type { Router } from '../router.ts';
import { registerResourceRoutes } from './rules.ts';
import { ApiError, API_CODES } from '../errors.ts';

export function registerDnsRoutes(r: Router, records: ZoneResourceService<DnsRecord>, zones: ZoneService, snapshot: () => DnsSnapshot, nameservers: readonly string[]): void {
  r.add({ method: 'POST', path: '/client/v4/zones/:id/dns_records/import', auth: 'token', permission: 'dns:edit', summary: 'Import records from an RFC 1035 zone file (JSON {"file": "...", "replace": false} or the file as text/plain)',
    handler: async (q) => {
      const zone = await zones.get(q.params['id']!);
      const b = q.body as { file?: unknown; replace?: unknown } | undefined;
      const text = typeof b?.file === 'string' ? b.file : undefined;
      if (text === undefined) throw new ApiError(400, API_CODES.validation, 'body.file: expected the zone file\'s text');
      let imported;
      try { imported = importZoneFile(text, zone.name); } catch (e) {
        if (e instanceof ZoneFileError) throw new ApiError(400, API_CODES.validation, `zone file: ${e.message}`);
        throw e;
      }
      // SOA and apex NS belong to Rampart (it is the authority); the rest is imported
      const recs = imported.records.filter((x) => x.type !== 'SOA' && !(x.type === 'NS' && x.name === '@'));
      const added = await records.importMany(zone.id, recs.map(({ id: _id, ...rest }) => rest), b?.replace === true);
      return { kind: 'json', result: { recs_added: added.length, total_records_parsed: imported.records.length } };
    } });
  r.add({ method: 'GET', path: '/client/v4/zones/:id/dns_records/export', auth: 'token', permission: 'zone:read', summary: 'The zone as an RFC 1035 zone file',
    handler: async (q) => {
      const zone = await zones.get(q.params['id']!);
      const recs = await records.list(zone.id);
      const serial = snapshot().zones.get(zone.name)?.serial ?? 1;
      return { kind: 'raw', status: 200, contentType: 'text/dns; charset=utf-8', body: exportZoneFile({ name: zone.name, serial, records: recs, nameservers: [...nameservers] }) };
    } });
  registerResourceRoutes(r, '/client/v4/zones/:id/dns_records', records, 'dns:edit');
}
