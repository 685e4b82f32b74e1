/**
 * Where a client comes from: country and ASN from a country database and an ASN database (MMDB or the CSV range
 * format; either may carry both). Loaded once per process; a lookup is a tree walk or a binary search, with the
 * last address's answer cached so the several readers of one request (access rules, rules, analytics) pay once.
 * Unknown: country "XX", ASN 0.
 */
import { readFileSync } from 'node:fs';
import { parseIp } from '../ip.ts';
import type { Ip } from '../ip.ts';
import { parseGeoCsv } from './csv.ts';
import { mmdbDatabase } from './mmdb-database.ts';
import type { GeoDatabase, GeoRecord } from './record.ts';

export const UNKNOWN_COUNTRY = 'XX';

export interface GeoIpOptions {
  readonly country?: GeoDatabase | undefined;
  readonly asn?: GeoDatabase | undefined;
}

export class GeoIp {
  readonly #country: GeoDatabase | undefined;
  readonly #asn: GeoDatabase | undefined;
  /** Why a configured database could not be loaded (the lookups then answer unknown). */
  readonly problems: readonly string[];
  #lastText = '\0';
  #lastCountry = UNKNOWN_COUNTRY;
  #lastAsn = 0;
  #lastOrg = '';

  constructor(opts: GeoIpOptions = {}, problems: readonly string[] = []) {
    this.#country = opts.country ?? opts.asn;
    this.#asn = opts.asn ?? opts.country;
    this.problems = problems;
  }

  /** True when at least one database is loaded. */
  get configured(): boolean { return this.#country !== undefined; }

  /** The records of both databases for a parsed address. */
  records(ip: Ip): { country: GeoRecord | undefined; asn: GeoRecord | undefined } {
    const c = this.#country?.get(ip);
    return { country: c, asn: this.#asn === this.#country ? c : this.#asn?.get(ip) };
  }

  #fill(text: string): void {
    if (text === this.#lastText) return;
    this.#lastText = text;
    this.#lastCountry = UNKNOWN_COUNTRY;
    this.#lastAsn = 0;
    this.#lastOrg = '';
    if (this.#country === undefined) return;
    const ip = parseIp(text);
    if (ip === null) return;
    const c = this.#country.get(ip);
    if (c?.country) this.#lastCountry = c.country;
    const a = this.#asn === this.#country ? c : this.#asn?.get(ip);
    if (a?.asn !== undefined) { this.#lastAsn = a.asn; this.#lastOrg = a.org ?? ''; }
  }

  /** ISO country of an address (text), "XX" when unknown. */
  country(ip: string): string { this.#fill(ip); return this.#lastCountry; }

  /** AS number of an address (text), 0 when unknown. */
  asn(ip: string): number { this.#fill(ip); return this.#lastAsn; }

  /** AS organisation, '' when unknown. */
  org(ip: string): string { this.#fill(ip); return this.#lastOrg; }
}

/** Open a database file: `.mmdb` as MaxMind DB, `.csv`/`.txt` as the range format; otherwise sniffed. */
export function openGeoDatabase(path: string): GeoDatabase {
  const buf = readFileSync(path);
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) return parseGeoCsv(buf.toString('utf8'), path);
  if (lower.endsWith('.mmdb')) return mmdbDatabase(buf);
  return buf.includes(Buffer.from('abcdef4d61784d696e642e636f6d', 'hex')) ? mmdbDatabase(buf) : parseGeoCsv(buf.toString('utf8'), path);
}

export interface GeoIpPaths {
  readonly country?: string | undefined;
  readonly asn?: string | undefined;
}

/** Load the configured databases. A file that fails to load is reported in `problems`, never thrown. */
export function loadGeoIp(paths: GeoIpPaths): GeoIp {
  const problems: string[] = [];
  const open = (p: string | undefined): GeoDatabase | undefined => {
    if (!p) return undefined;
    try { return openGeoDatabase(p); } catch (e) { problems.push(`${p}: ${(e as Error).message}`); return undefined; }
  };
  return new GeoIp({ country: open(paths.country), asn: paths.asn === paths.country ? undefined : open(paths.asn) }, problems);
}

/** Paths from RAMPART_GEOIP_COUNTRY and RAMPART_GEOIP_ASN. */
export function geoIpPathsFromEnv(env: NodeJS.ProcessEnv = process.env): GeoIpPaths {
  return { country: env['RAMPART_GEOIP_COUNTRY'] || undefined, asn: env['RAMPART_GEOIP_ASN'] || undefined };
}

let current: GeoIp | undefined;

/** The process's databases, loaded on first use from the environment (or set by `setDefaultGeoIp`). */
export function defaultGeoIp(): GeoIp {
  return (current ??= loadGeoIp(geoIpPathsFromEnv()));
}

/** Replace the process's databases (config load, tests); undefined reloads from the environment on next use. */
export function setDefaultGeoIp(g: GeoIp | undefined): void {
  current = g;
}
