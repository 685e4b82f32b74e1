/** Public surface of the authoritative DNS server library. */
export { DNS_RECORD_TYPES, dnsRecordSchema, dnsZoneSchema, soaSettingsSchema, ownerNameSchema, hostnameSchema } from './schemas.ts';
export type { DnsRecord, DnsRecordInput, DnsRecordType, DnsZone, DnsZoneInput, SoaSettings } from './schemas.ts';
export { buildDnsSnapshot, checkZone, DnsZoneError, findZone, proxiedHosts } from './snapshot.ts';
export type { CompiledZone, DnsSnapshot, DnsSnapshotOptions, RRset, ZoneNode } from './snapshot.ts';
export { answer, RCODE, responseRcode } from './answer.ts';
export type { ClientInfo, DnsQuery } from './answer.ts';
export { startDnsServer } from './server.ts';
export type { DnsLogger, DnsServer, DnsServerOptions, DnsServerStats } from './server.ts';
export { ResponseRateLimiter } from './rrl.ts';
export type { RrlCategory, RrlConfig, RrlDecision } from './rrl.ts';
export { parseZoneFile, importZoneFile, parseTtl, ZoneFileError } from './zone-file-parse.ts';
export type { ImportedZone } from './zone-file-parse.ts';
export { exportZoneFile } from './zone-file-export.ts';
export { axfrRecords, compileAllowlist } from './axfr.ts';
export { sendNotify } from './notify.ts';
export type { NotifyOptions, NotifyResult } from './notify.ts';
export { nextSerial, serialGreater } from './serial.ts';
export { canonicalName, resolveOwner, relativeName } from './names.ts';
