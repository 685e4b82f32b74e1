import { registerOperator } from './registry.ts';
/** `@geoLookup` — would fill GEO from a GeoIP database; none is configured, so it never matches (as ModSecurity without SecGeoLookupDb). Example: `SecRule REMOTE_ADDR "@geoLookup"` */
registerOperator({ name: 'geoLookup', doc: '@geoLookup — no GeoIP database: never matches', compile: () => () => false });
