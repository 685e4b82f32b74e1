/** A GeoDatabase over an MMDB file: tree walk, then the record decoded once per data offset and cached. */
import type { Ip } from '../ip.ts';
import { MmdbReader } from './mmdb.ts';
import type { GeoDatabase, GeoRecord } from './record.ts';

const COUNTRY_PATHS: readonly (readonly string[])[] = [['country', 'iso_code'], ['registered_country', 'iso_code'], ['country_code']];
const NONE: GeoRecord = Object.freeze({});

export function mmdbDatabase(buf: Buffer): GeoDatabase & { readonly reader: MmdbReader } {
  const reader = new MmdbReader(buf);
  const cache = new Map<number, GeoRecord>();
  const recordAt = (off: number): GeoRecord => {
    let r = cache.get(off);
    if (r !== undefined) return r;
    let country: string | undefined;
    for (const p of COUNTRY_PATHS) {
      const v = reader.path(off, p);
      if (typeof v === 'string' && v !== '') { country = v.toUpperCase(); break; }
    }
    const asnV = reader.path(off, ['autonomous_system_number']);
    const orgV = reader.path(off, ['autonomous_system_organization']);
    const asn = typeof asnV === 'number' ? asnV : typeof asnV === 'string' && /^\d+$/.test(asnV) ? Number(asnV) : undefined;
    r = country === undefined && asn === undefined ? NONE : Object.freeze({
      ...(country !== undefined ? { country } : {}), ...(asn !== undefined ? { asn } : {}), ...(typeof orgV === 'string' ? { org: orgV } : {}),
    });
    if (cache.size < 1_000_000) cache.set(off, r);
    return r;
  };
  return {
    kind: 'mmdb',
    size: reader.metadata.nodeCount,
    reader,
    get(ip: Ip): GeoRecord | undefined {
      let off: number;
      if (ip.version === 4) off = reader.lookupV4(ip.value >>> 0);
      else {
        const v = ip.value;
        off = reader.lookupV6(Number(v >> 96n), Number((v >> 64n) & 0xffffffffn), Number((v >> 32n) & 0xffffffffn), Number(v & 0xffffffffn));
      }
      if (off < 0) return undefined;
      const r = recordAt(off);
      return r === NONE ? undefined : r;
    },
  };
}
