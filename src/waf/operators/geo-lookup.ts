import { registerOperator } from './registry.ts';
import { defaultGeoIp } from '../../lib/geoip/index.ts';

/**
 * `@geoLookup` — looks the input address up in the GeoIP databases (RAMPART_GEOIP_COUNTRY / _ASN, or the config's
 * server.geoip) and fills the GEO collection: COUNTRY_CODE (and, with an ASN database, ASN and ORGANIZATION).
 * Matches when the address was found, as ModSecurity does with SecGeoLookupDb; without a database it never matches.
 * Example: `SecRule REMOTE_ADDR "@geoLookup" "chain,id:100,deny"` + `SecRule GEO:COUNTRY_CODE "@streq XX"`
 */
registerOperator({
  name: 'geoLookup',
  doc: '@geoLookup — fills GEO:COUNTRY_CODE (and ASN, ORGANIZATION) from the GeoIP databases; matches when found',
  compile: () => (tx, input) => {
    const geo = defaultGeoIp();
    if (!geo.configured) return false;
    const ip = input.trim();
    const country = geo.country(ip);
    const asn = geo.asn(ip);
    const g = tx.col('GEO');
    g.set('COUNTRY_CODE', country);
    if (asn !== 0) g.set('ASN', String(asn));
    const org = geo.org(ip);
    if (org) g.set('ORGANIZATION', org);
    return country !== 'XX' || asn !== 0;
  },
});
