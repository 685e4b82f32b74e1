/**
 * The one configuration model. The YAML file, the admin API and the CLI all produce these shapes; types are
 * inferred from the schemas. The data plane never reads these directly: it reads the compiled snapshot
 * (snapshot.ts).
 */
import { z } from 'zod';
import { SuspensionSchema } from './legal.ts';

const HOSTNAME_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const HostnameSchema = z.string().trim().toLowerCase().max(253)
  .refine((s) => HOSTNAME_RE.test(s), { message: 'must be a DNS name like shop.test or *.shop.test' });

/** `host:port`, `[v6]:port`, optionally prefixed with http:// or https:// (https = TLS to the origin). */
export const OriginAddressSchema = z.string().trim().refine((s) => parseOriginAddress(s) !== undefined, {
  message: 'must be HOST:PORT (e.g. 127.0.0.1:8000, [::1]:8000, origin.example:443 or https://origin.example)',
});

export interface OriginAddress { host: string; port: number; tls: boolean }

export function parseOriginAddress(s: string): OriginAddress | undefined {
  let rest = s;
  let tls = false;
  if (rest.startsWith('https://')) { tls = true; rest = rest.slice(8); } else if (rest.startsWith('http://')) rest = rest.slice(7);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  let host: string; let portStr: string | undefined;
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(rest);
  if (v6) { host = v6[1] ?? ''; portStr = v6[2]; } else {
    const m = /^([A-Za-z0-9.-]+)(?::(\d+))?$/.exec(rest);
    if (!m) return undefined;
    host = m[1] ?? ''; portStr = m[2];
  }
  if (!host) return undefined;
  const port = portStr === undefined ? (tls ? 443 : 80) : Number(portStr);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port, tls };
}

export const OriginSchema = z.object({
  address: OriginAddressSchema,
  weight: z.number().int().min(1).max(1000).default(1),
  enabled: z.boolean().default(true),
}).strict();

export const HealthCheckSchema = z.object({
  enabled: z.boolean().default(false).describe('active checks are opt-in (setting a path through the CLI turns them on); passive checks always run'),
  path: z.string().startsWith('/').default('/'),
  interval: z.number().min(1).max(3600).default(10).describe('seconds between active checks'),
  timeout: z.number().min(0.1).max(60).default(3).describe('seconds before a check counts as failed'),
  expected_status: z.union([z.number().int().min(100).max(599), z.string().regex(/^[1-5]xx$/)]).default('2xx'),
  unhealthy_threshold: z.number().int().min(1).max(100).default(2).describe('consecutive failures to mark an origin down'),
  healthy_threshold: z.number().int().min(1).max(100).default(1).describe('consecutive successes to mark it up again'),
  passive_failures: z.number().int().min(1).max(1000).default(3).describe('consecutive proxied-request failures that mark an origin down'),
}).strict();

export const OriginPoolSchema = z.object({
  origins: z.array(OriginSchema).max(64).default([]),
  health_check: HealthCheckSchema.default(HealthCheckSchema.parse({})),
  connect_timeout: z.number().min(0.1).max(120).default(5).describe('seconds'),
  response_timeout: z.number().min(0.1).max(600).default(100).describe('seconds to the first response byte (504 after)'),
  host_header: z.string().optional().describe('Host header sent to the origin; default: the visitor\'s'),
}).strict();

export const SecurityLevelSchema = z.enum(['off', 'essentially_off', 'low', 'medium', 'high', 'under_attack']);

// --- issue 6 (docs/bots-and-origin.md): per-zone page templates. A challenge template must carry the challenge
// (`{{challenge_form}}` and `{{challenge_script}}`, or `{{challenge}}` for both) and `{{ray}}`; a block template `{{ray}}`.
/** Placeholders a page template must contain; the first missing one is named in the error. */
export function missingTemplatePlaceholder(kind: 'challenge' | 'block', html: string): string | undefined {
  const need = kind === 'block' ? ['{{ray}}']
    : html.includes('{{challenge}}') ? ['{{ray}}'] : ['{{ray}}', '{{challenge_form}}', '{{challenge_script}}'];
  return need.find((p) => !html.includes(p));
}

function templateSchema(kind: 'challenge' | 'block'): z.ZodType<string> {
  return z.string().min(1).max(65_536).superRefine((html, ctx) => {
    const missing = missingTemplatePlaceholder(kind, html);
    if (missing !== undefined) ctx.addIssue({ code: 'custom', message: `the ${kind} template must contain the placeholder ${missing}` });
  });
}

export const PageTemplatesSchema = z.object({
  challenge: templateSchema('challenge').optional().describe('HTML of the challenge page: {{challenge_form}} and {{challenge_script}} (or {{challenge}}), {{ray}}, optional {{site}} and {{nonce}}'),
  block: templateSchema('block').optional().describe('HTML of the block page (403/429 from a rule): {{ray}}, optional {{site}}, {{status}}, {{reason}}, {{nonce}}'),
}).strict();
// ---

export const ZoneSettingsSchema = z.object({
  security_level: SecurityLevelSchema.default('medium'),
  // --- issue 8: secondaries (docs/dns.md): these may transfer the zone (AXFR) and get a NOTIFY on every change
  secondaries: z.array(z.string().regex(/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])(:\d{1,5})?$|^[0-9a-fA-F:]+$/, 'an IP address, IPv4:port or [IPv6]:port')).max(20).optional(),
  // --- issue 12: HTTPS settings (docs/certificates.md)
  always_use_https: z.boolean().optional().describe('default false: plain-HTTP requests are redirected (301) to https:// (ACME HTTP-01 excepted)'),
  hsts: z.object({
    enabled: z.boolean().default(true),
    max_age: z.number().int().min(0).max(63_072_000).default(15_552_000),
    include_subdomains: z.boolean().default(false),
    preload: z.boolean().default(false),
  }).strict().optional().describe('Strict-Transport-Security on every HTTPS answer (absent: none)'),
  // ---
  // --- issue 6 (docs/bots-and-origin.md): verified bots, origin protection, page templates. No zod defaults here: with
  // zod 4 a default inside .partial() fills absent keys, so a settings PATCH would reset them; readers apply them.
  verified_bots_skip_challenge: z.boolean().optional().describe('default true: verified crawlers (forward-confirmed reverse DNS) are not challenged by the security level or their threat score'),
  origin_max_concurrency: z.number().int().min(0).max(100_000).optional().describe('default 0: requests in flight to the origin at once, per edge process; 0 = no cap'),
  origin_queue: z.number().int().min(0).max(10_000).optional().describe('default 16: requests that may wait for an origin slot past origin_max_concurrency; more get 503 origin.overloaded'),
  origin_queue_timeout_ms: z.number().int().min(0).max(60_000).optional().describe('default 2000: longest wait in the origin queue before 503 origin.overloaded'),
  origin_pull_secret: z.string().min(32).max(256).nullable().optional().describe('authenticated origin pull: HMAC key of the rampart-origin-auth header (never shown by the API); null = off'),
  templates: PageTemplatesSchema.optional().describe('the zone\'s own challenge and block pages'),
  // ---
  paused: z.boolean().default(false).describe('when true the edge passes traffic straight to the origin (no security phases)'),
  // transforms (docs/transforms.md)
  compression: z.boolean().default(true).describe('compress text responses with brotli, zstd or gzip, as the visitor accepts'),
  email_obfuscation: z.boolean().default(true).describe('hide email addresses in HTML from harvesters; a small script shows them to visitors'),
  hotlink_protection: z.boolean().default(false).describe('answer 403 to image requests whose Referer is another site'),
  hotlink_allow: z.array(HostnameSchema).max(200).default([]).describe('other sites allowed to embed images (example.com, *.example.com)'),
  // --- issue 9: abuse reports (docs/governance.md): where reports about this zone are forwarded besides the owner
  abuse_contact: z.email().max(254).nullable().optional().describe('email of the origin\'s hosting provider (abuse desk): abuse reports about the zone are forwarded there too; null/absent = owner only'),
  // ---
  // issue 6: automatic mitigation (docs/mitigation-auto.md); absent in zones stored before it, read as 'on'
  auto_mitigation: z.enum(['off', 'log', 'on']).default('on').describe('learn a traffic baseline and challenge or rate limit the segment behind a surge (log: record rules, enforce nothing)'),
}).strict();

/** The zone's WAF: the OWASP CRS at a paranoia level, in detection or blocking mode, plus the zone's own SecLang. */
export const WafSettingsSchema = z.object({
  mode: z.enum(['off', 'detect', 'block']).default('off'),
  paranoia: z.number().int().min(1).max(4).default(1),
  inbound_threshold: z.number().int().min(1).max(10_000).default(5).describe('CRS inbound anomaly score that blocks'),
  outbound_threshold: z.number().int().min(1).max(10_000).default(4).describe('CRS outbound anomaly score that blocks'),
  exclude_ids: z.array(z.number().int().min(1).max(99_999_999)).max(1000).default([]).describe('CRS rule ids switched off for this zone'),
  exclude_tags: z.array(z.string().min(1).max(200)).max(200).default([]).describe('CRS rule tags switched off, e.g. attack-sqli'),
  managed_rules: z.boolean().default(true).describe('Rampart\'s own managed rules (rampart-managed) run with the CRS'),
  rules: z.string().max(1_000_000).default('').describe('the zone\'s own SecLang rules, run after the CRS'),
}).strict();
export type WafSettings = z.infer<typeof WafSettingsSchema>;

/** The zone's cache (RFC 9111 shared cache in front of the origin). */
export const CacheSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  always_online: z.boolean().default(true).describe('serve a stale copy when the origin is down or answers 5xx'),
  always_online_max_stale: z.number().int().min(0).max(30 * 86400).default(86400).describe('seconds: the oldest stale copy Always Online serves'),
  // --- cache key options and stale defaults (issue 7, docs/cache.md)
  query_string: z.enum(['raw', 'sorted', 'ignore']).default('raw').describe('the query in the cache key: as sent, args sorted by name, or left out'),
  query_include: z.array(z.string().min(1).max(200)).max(100).optional().describe('only these query args are part of the cache key'),
  query_exclude: z.array(z.string().min(1).max(200)).max(100).optional().describe('these query args are left out of the cache key (e.g. utm_source)'),
  stale_while_revalidate: z.number().int().min(0).max(30 * 86400).default(0).describe('seconds: serve a stale copy while refreshing it in the background, when the origin says nothing'),
  max_query_variants: z.number().int().min(0).max(1_000_000).default(1000).describe('cache-busting defence: distinct query strings stored per path (per worker); past it new ones are served but not stored (DYNAMIC); 0 = no cap'),
  // ---
}).strict();
export type CacheSettings = z.infer<typeof CacheSettingsSchema>;

export const ZoneCertificateSchema = z.object({
  cert: z.string().includes('BEGIN CERTIFICATE', { message: 'must be a PEM certificate chain' }),
  key: z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key' }),
}).strict();

/** A zone as stored and published. */
export const ZoneSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{32}$/),
  name: HostnameSchema.refine((s) => !s.startsWith('*.'), { message: 'a zone name cannot be a wildcard; add *.name as an alias' }),
  account: z.string().default('default'),
  aliases: z.array(HostnameSchema).max(100).default([]).describe('other hostnames served by this zone, e.g. *.shop.test'),
  pool: OriginPoolSchema.default(OriginPoolSchema.parse({})),
  settings: ZoneSettingsSchema.default(ZoneSettingsSchema.parse({})),
  waf: WafSettingsSchema.default(WafSettingsSchema.parse({})),
  cache: CacheSettingsSchema.default(CacheSettingsSchema.parse({})),
  certificate: ZoneCertificateSchema.optional(),
  /** Set only through /zones/:id/suspend, with one of the fixed operational reasons (src/config/legal.ts). */
  suspension: SuspensionSchema.optional(),
  /** Onboarding: pending until the registry delegates the zone to our nameservers (absent: active, e.g. file zones). */
  activation: z.object({
    status: z.enum(['pending', 'active', 'moved']),
    checked_on: z.string().nullable(),
    /** The nameservers the delegation named at the last check. */
    seen: z.array(z.string()).default([]),
  }).strict().optional(),
  /** High-traffic sign-up review (operator queue); absent when none was needed. */
  review: z.object({
    status: z.enum(['pending', 'approved']),
    expected_rps: z.number().nonnegative(),
    under_attack: z.boolean(),
    /** Edge cores the declared traffic would need (at the measured per-core rate). */
    capacity_cores: z.number().int().nonnegative(),
    requested_on: z.string(),
    decided_by: z.string().nullable(),
    decided_on: z.string().nullable(),
    note: z.string().default(''),
  }).strict().optional(),
  source: z.enum(['api', 'file']).default('api'),
  created_on: z.string(),
  modified_on: z.string(),
}).strict();

export type Zone = z.infer<typeof ZoneSchema>;
export type ZoneSettings = z.infer<typeof ZoneSettingsSchema>;
export type OriginPool = z.infer<typeof OriginPoolSchema>;
export type Origin = z.infer<typeof OriginSchema>;
export type HealthCheck = z.infer<typeof HealthCheckSchema>;

/** What a client sends to create a zone (API body, CLI, config file entry). */
export const ZoneInputSchema = z.object({
  name: ZoneSchema.shape.name,
  account: z.string().min(1).max(64).optional(),
  aliases: z.array(HostnameSchema).max(100).optional(),
  origins: z.array(z.union([OriginAddressSchema, OriginSchema])).max(64).optional(),
  pool: OriginPoolSchema.partial().optional(),
  settings: ZoneSettingsSchema.partial().optional(),
  waf: WafSettingsSchema.partial().optional(),
  cache: CacheSettingsSchema.partial().optional(),
  certificate: ZoneCertificateSchema.optional(),
  /** Sign-up: the traffic the site expects (requests/s); above the review threshold the sign-up is reviewed. */
  expected_rps: z.number().int().min(0).max(100_000_000).optional(),
  /** Sign-up: the site is under attack now (reviewed, and protected with under_attack at once). */
  under_attack: z.boolean().optional(),
  /** Sign-up: import the records the zone has today by asking a resolver about common names (RAMPART_SCAN_RESOLVER). */
  scan: z.boolean().optional(),
}).strict();
export type ZoneInput = z.infer<typeof ZoneInputSchema>;

export const ZonePatchSchema = ZoneInputSchema.omit({ name: true, expected_rps: true, under_attack: true, scan: true }).partial().strict();
export type ZonePatch = z.infer<typeof ZonePatchSchema>;

export const ListenAddressSchema = z.string().refine((s) => parseListenAddress(s) !== undefined, {
  message: 'must be ADDR:PORT, :PORT or [v6]:PORT',
});

export function parseListenAddress(s: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9A-Za-z.-]*)):(\d+)$/.exec(s.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export const LimitsSchema = z.object({
  max_header_bytes: z.number().int().min(1024).max(1 << 20).default(32 * 1024),
  max_header_count: z.number().int().min(8).max(1000).default(100),
  max_uri_length: z.number().int().min(256).max(1 << 20).default(8192),
  header_timeout: z.number().min(0.5).max(300).default(10).describe('seconds to receive the request head'),
  keepalive_timeout: z.number().min(0.5).max(3600).default(5).describe('idle seconds between requests on a connection'),
  request_timeout: z.number().min(1).max(86400).default(300).describe('seconds to receive a whole request'),
  max_requests_per_connection: z.number().int().min(0).default(1000).describe('0 = unlimited'),
  max_connections_per_ip: z.number().int().min(1).default(256).describe('open connections per client IP; past it new ones are closed before TLS/HTTP'),
  max_connections_per_prefix: z.number().int().min(0).default(2048).describe('open connections per client IPv4 /24 or IPv6 /64 (an attacker with a whole subnet); 0 = no cap'),
  new_connections_per_ip_per_second: z.number().min(0.01).default(100).describe('new connections per client IP per second (token bucket rate)'),
  new_connections_per_ip_burst: z.number().int().min(1).default(200).describe('token bucket size for new connections per client IP'),
  max_connections: z.number().int().min(1).default(20_000).describe('open connections in total (per edge process)'),
  reserved_connections: z.union([z.number().int().min(0), z.string().regex(/^\d+(\.\d+)?%$/)]).default('10%')
    .describe('share of max_connections only known-good clients (recent requests without blocks) may use: a number or "N%"'),
  h2_max_concurrent_streams: z.number().int().min(1).max(10_000).default(128).describe('HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS'),
  h2_max_rst_per_second: z.number().int().min(1).default(100).describe('client stream resets per HTTP/2 session per second (rapid reset); past it GOAWAY(ENHANCE_YOUR_CALM)'),
  h2_max_pings_per_second: z.number().int().min(1).default(20).describe('PING frames per HTTP/2 session per second; past it GOAWAY(ENHANCE_YOUR_CALM)'),
  h2_max_settings_per_second: z.number().int().min(1).default(10).describe('SETTINGS frames per HTTP/2 session per second; past it GOAWAY(ENHANCE_YOUR_CALM)'),
  h2_max_invalid_frames: z.number().int().min(1).default(100).describe("invalid (and empty DATA) frames per HTTP/2 session before Node closes it (maxSessionInvalidFrames)"),
  h2_max_rejected_streams: z.number().int().min(1).default(100).describe('streams refused per HTTP/2 session before Node closes it (maxSessionRejectedStreams)'),
  min_body_rate: z.number().min(0).default(100).describe('minimum average request-body rate in bytes/s after body_rate_grace (slow POST; HTTP/1); 0 = off'),
  body_rate_grace: z.number().min(0.5).max(3600).default(10).describe('seconds before the request-body rate is first judged'),
}).strict();

export const ServerSchema = z.object({
  http: ListenAddressSchema.optional(),
  https: ListenAddressSchema.optional(),
  admin: ListenAddressSchema.optional(),
  data: z.string().optional(),
  workers: z.number().int().min(0).max(256).optional(),
  role: z.enum(['all', 'edge', 'control']).optional().describe('what this node runs: the edge (proxy, DNS), the control plane (admin API), or both (default). edge and control need postgres'),
  redis: z.string().regex(/^rediss?:\/\//, 'want a redis:// or rediss:// URL').optional().describe('fleet mode: counters, keys, reputation and events shared through this Redis'),
  postgres: z.string().regex(/^postgres(ql)?:\/\//, 'want a postgres:// URL').optional().describe('fleet mode: configuration, audit log and security events in this PostgreSQL database'),
  worker_heap_mb: z.number().int().min(64).max(65_536).optional().describe('V8 old-space limit of each edge worker (MiB); unset = V8 default. 256 keeps a 10,000-zone worker under 300 MiB RSS, at a throughput cost for large bodies (external-memory pressure triggers more full GCs)'),
  log: z.object({
    access: z.union([z.literal('stdout'), z.literal('off'), z.string()]).default('file')
      .describe('"file" (data/logs/access.log), "stdout", "off", or a path'),
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  }).strict().default({ access: 'file', level: 'info' }),
  limits: LimitsSchema.default(LimitsSchema.parse({})),
  // --- the edge cache's storage (issue 7, docs/cache.md)
  cache: z.object({
    memory_mb: z.number().int().min(1).max(1_048_576).default(256).describe('memory tier of each edge worker (MiB)'),
    disk_mb: z.number().int().min(0).max(1_073_741_824).default(1024).describe('disk tier (MiB), split evenly between the workers; 0 = no disk tier'),
    path: z.string().optional().describe('cache folder (default <data>/cache); each worker uses its own w<N> subfolder'),
  }).strict().default({ memory_mb: 256, disk_mb: 1024 }),
  // ---
  // --- GeoIP databases (issue 5, docs/rules.md): .mmdb or the CSV range format; env RAMPART_GEOIP_COUNTRY/_ASN win
  geoip: z.object({
    country_db: z.string().min(1).optional().describe('country database: GeoLite2-Country.mmdb or a CSV of start_ip,end_ip,country[,asn[,org]]'),
    asn_db: z.string().min(1).optional().describe('ASN database: GeoLite2-ASN.mmdb or a CSV of start_ip,end_ip,,asn[,org]'),
  }).strict().optional(),
  // ---
}).strict();

/** A zone in the config file: the API's zone body, plus its DNS records (validated like the API's, when synced). */
export const FileZoneSchema = ZoneInputSchema.extend({
  dns_records: z.array(z.record(z.string(), z.unknown())).max(10_000).optional().describe('the zone\'s records, as the API takes them: {type, name, content, ttl?, proxied?, priority?}'),
}).strict();

/** The YAML config file. */
/** Automatic certificates (docs/certificates.md); RAMPART_ACME_DIRECTORY / _CA_BUNDLE / _CHALLENGE override. */
export const AcmeConfigSchema = z.object({
  directory: z.string().url('want the ACME directory URL, e.g. https://acme-v02.api.letsencrypt.org/directory').optional(),
  ca_bundle: z.string().min(1).optional().describe('PEM file of the CA that signs the directory\'s own TLS certificate (private and test CAs)'),
  challenge: z.enum(['dns-01', 'http-01']).optional().describe('default dns-01 (Rampart answers it from its own DNS; also covers wildcards)'),
}).strict();

/** The edge's public addresses: what proxied DNS records answer with (RAMPART_EDGE_IPV4 / _IPV6 override). */
export const EdgeConfigSchema = z.object({
  ipv4: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address')).max(16).optional(),
  ipv6: z.array(z.string().regex(/^[0-9a-fA-F:]+$/, 'an IPv6 address')).max(16).optional(),
}).strict();

export const ConfigFileSchema = z.object({
  server: ServerSchema.default(ServerSchema.parse({})),
  edge: EdgeConfigSchema.optional(),
  acme: AcmeConfigSchema.optional(),
  zones: z.array(FileZoneSchema).default([]),
}).strict();

export type ConfigFile = z.infer<typeof ConfigFileSchema>;
export type ServerConfig = z.infer<typeof ServerSchema>;
export type Limits = z.infer<typeof LimitsSchema>;
