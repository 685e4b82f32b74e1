/** GeoIP: country and ASN of an address from MaxMind DB files or a CSV range file. Pure, no dependencies. */
export { GeoIp, UNKNOWN_COUNTRY, openGeoDatabase, loadGeoIp, geoIpPathsFromEnv, defaultGeoIp, setDefaultGeoIp } from './geoip.ts';
export type { GeoIpOptions, GeoIpPaths } from './geoip.ts';
export type { GeoDatabase, GeoRecord } from './record.ts';
export { MmdbReader, MmdbError } from './mmdb.ts';
export type { MmdbValue, MmdbMetadata } from './mmdb.ts';
export { mmdbDatabase } from './mmdb-database.ts';
export { parseGeoCsv, GeoCsvError } from './csv.ts';
export { writeMmdb } from './mmdb-writer.ts';
export type { MmdbEntry, MmdbWriteOptions } from './mmdb-writer.ts';
