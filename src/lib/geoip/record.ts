/** What a geo database says about an address, and the interface every database format implements. */
import type { Ip } from '../ip.ts';

export interface GeoRecord {
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country?: string;
  readonly asn?: number;
  /** The AS organisation name. */
  readonly org?: string;
}

export interface GeoDatabase {
  readonly kind: 'mmdb' | 'csv';
  /** Ranges (CSV) or tree nodes (MMDB). */
  readonly size: number;
  /** The record for an address (a shared, frozen object: never mutate), or undefined when unknown. */
  get(ip: Ip): GeoRecord | undefined;
}
