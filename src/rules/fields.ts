/** The fields an expression can read, their types and how each is read from a RuleRequest (only when needed). */
import { defaultGeoIp } from '../lib/geoip/index.ts';
import { parseIp } from '../lib/ip.ts';
import type { Ip } from '../lib/ip.ts';
import type { RuleRequest } from './request.ts';
import { BOOL, INT, IP, STRING, arrayOf, mapOf } from './types.ts';
import type { Type } from './types.ts';

/** A runtime value: string, int, bool, IP (null when the client address is unparseable) or an array of values. */
export type Value = string | number | boolean | Ip | null | readonly Value[];

export interface FieldDef {
  readonly name: string;
  readonly type: Type;
  readonly description: string;
  readonly example: string;
  /** Read a scalar or array field. */
  readonly get?: (req: RuleRequest) => Value;
  /** Read one key of a map field; the key is lower-cased at compile time when `lowerKeys`. */
  readonly lookup?: (req: RuleRequest, key: string) => Value;
  readonly lowerKeys?: boolean;
}

let lastIpText = '';
let lastIp: Ip | null = null;

/**
 * The parsed client address. A one-entry cache keyed by the address text: parsed once per request even when many
 * clauses and rules read it, and no request object is retained.
 */
export function clientIp(req: RuleRequest): Ip | null {
  if (req.ip === lastIpText) return lastIp;
  lastIpText = req.ip;
  lastIp = parseIp(req.ip);
  return lastIp;
}

const first = (v: readonly string[]): string => v[0] ?? '';

const DEFS: FieldDef[] = [
  { name: 'http.request.method', type: STRING, description: 'Request method, as sent.', example: 'http.request.method eq "POST"', get: (r) => r.method },
  { name: 'http.request.uri', type: STRING, description: 'Raw request target: path and query.', example: 'http.request.uri contains "?debug"', get: (r) => r.uri },
  { name: 'http.request.uri.path', type: STRING, description: 'Path of the request target, not decoded.', example: 'http.request.uri.path eq "/wp-login.php"', get: (r) => r.path },
  { name: 'http.request.uri.query', type: STRING, description: "Query string without the '?', not decoded.", example: 'http.request.uri.query contains "id="', get: (r) => r.query },
  { name: 'http.request.uri.args', type: mapOf(arrayOf(STRING)), description: 'Decoded query arguments by exact name; every value.', example: 'any(http.request.uri.args["id"][*] eq "1")', lookup: (r, k) => r.arg(k) },
  { name: 'http.request.uri.args.names', type: arrayOf(STRING), description: 'Names of the query arguments.', example: 'any(http.request.uri.args.names[*] eq "debug")', get: (r) => r.argNames() },
  { name: 'http.host', type: STRING, description: 'Host header (or :authority).', example: 'http.host eq "shop.test"', get: (r) => r.host },
  { name: 'http.user_agent', type: STRING, description: 'First User-Agent header.', example: 'http.user_agent contains "curl"', get: (r) => first(r.header('user-agent')) },
  { name: 'http.referer', type: STRING, description: 'First Referer header.', example: 'http.referer eq ""', get: (r) => first(r.header('referer')) },
  { name: 'http.cookie', type: STRING, description: "Whole Cookie header (several joined with '; ').", example: 'http.cookie contains "session="', get: (r) => r.header('cookie').join('; ') },
  { name: 'http.request.cookies', type: mapOf(arrayOf(STRING)), description: 'Cookie values by exact name.', example: 'http.request.cookies["session"][0] eq "x"', lookup: (r, k) => r.cookie(k) },
  { name: 'http.request.headers', type: mapOf(arrayOf(STRING)), description: 'Header values by name (case-insensitive).', example: 'any(http.request.headers["x-api-key"][*] eq "k")', lookup: (r, k) => r.header(k), lowerKeys: true },
  { name: 'http.request.headers.names', type: arrayOf(STRING), description: 'Lower-case names of the headers present.', example: 'any(http.request.headers.names[*] eq "x-debug")', get: (r) => r.headerNames() },
  { name: 'http.request.version', type: STRING, description: 'HTTP version: HTTP/1.0, HTTP/1.1, HTTP/2, HTTP/3.', example: 'http.request.version eq "HTTP/1.0"', get: (r) => r.version },
  { name: 'http.request.body.size', type: INT, description: 'Body size in bytes (0 when none).', example: 'http.request.body.size gt 1000000', get: (r) => r.bodySize },
  { name: 'ip.src', type: IP, description: 'Client IP address (IPv4-mapped IPv6 reads as IPv4).', example: 'ip.src in {203.0.113.0/24 2001:db8::/32}', get: clientIp },
  { name: 'ip.src.country', type: STRING, description: 'Client country, ISO 3166-1 alpha-2, upper case ("XX" when unknown). From the request, else the GeoIP database.', example: 'ip.src.country in {"FR" "BE"}', get: (r) => r.country ?? defaultGeoIp().country(r.ip) },
  { name: 'ip.src.asnum', type: INT, description: 'Client autonomous system number (0 when unknown). From the request, else the GeoIP database.', example: 'ip.src.asnum eq 64496', get: (r) => r.asn ?? defaultGeoIp().asn(r.ip) },
  { name: 'ssl', type: BOOL, description: 'True when the client connection is TLS.', example: 'not ssl', get: (r) => r.ssl },
  { name: 'rampart.threat_score', type: INT, description: 'Shared IP reputation score 0..100 (0 until reputation exists).', example: 'rampart.threat_score gt 50', get: (r) => r.threatScore ?? 0 },
  { name: 'rampart.verified_bot', type: BOOL, description: 'True for a crawler verified by forward-confirmed reverse DNS (docs/bots-and-origin.md).', example: 'not rampart.verified_bot', get: (r) => r.verifiedBot ?? false },
];

export const FIELDS: ReadonlyMap<string, FieldDef> = new Map(DEFS.map((d) => [d.name, d]));
