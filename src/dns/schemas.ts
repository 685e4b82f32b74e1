/**
 * The DNS record model (Cloudflare-like: type, name, content, ttl, proxied) and the zone input, as zod schemas.
 * Types are inferred from the schemas.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { isValidHostname } from './names.ts';

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SOA', 'SRV', 'CAA', 'PTR'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

const u16 = z.number().int().min(0).max(65535);
const u32 = z.number().int().min(0).max(4294967295);

/** Owner name: relative ('www', '_sip._tcp'), '@' for the apex, '*' or '*.sub' wildcards, or absolute ('www.shop.test.'). */
export const ownerNameSchema = z
  .string()
  .min(1)
  .max(254)
  .refine((s) => s === '@' || isValidHostname(s.endsWith('.@') ? s.slice(0, -2) : s, { wildcard: true }), {
    message: "invalid record name: use '@', a relative name like 'www', a wildcard like '*.dev', or an absolute name",
  });

/** A target host name (CNAME, MX, NS, PTR, SRV target, SOA names); absolute, trailing dot optional. */
export const hostnameSchema = z
  .string()
  .min(1)
  .max(254)
  .refine((s) => isValidHostname(s), { message: 'invalid host name' });

/** Like hostnameSchema but '.' (no service, RFC 7505 null MX / RFC 2782) is allowed. */
const targetOrRoot = z
  .string()
  .min(1)
  .max(254)
  .refine((s) => s === '.' || isValidHostname(s), { message: "invalid host name (or '.')" });

const ttl = z.number().int().min(1).max(2147483647).default(3600);
const base = {
  id: z.string().min(1).max(128),
  name: ownerNameSchema,
  ttl,
  comment: z.string().max(500).optional(),
};
const notProxied = z.literal(false).default(false);

export const aRecordSchema = z.object({
  ...base,
  type: z.literal('A'),
  content: z.string().refine((s) => isIPv4(s), { message: 'A content must be an IPv4 address' }),
  proxied: z.boolean().default(false),
});
export const aaaaRecordSchema = z.object({
  ...base,
  type: z.literal('AAAA'),
  content: z.string().refine((s) => isIPv6(s), { message: 'AAAA content must be an IPv6 address' }),
  proxied: z.boolean().default(false),
});
export const cnameRecordSchema = z.object({ ...base, type: z.literal('CNAME'), content: hostnameSchema, proxied: z.boolean().default(false) });
export const mxRecordSchema = z.object({ ...base, type: z.literal('MX'), content: targetOrRoot, priority: u16, proxied: notProxied });
export const txtRecordSchema = z.object({
  ...base,
  type: z.literal('TXT'),
  content: z.string().refine((s) => Buffer.byteLength(s) <= 8192, { message: 'TXT content longer than 8192 bytes' }),
  proxied: notProxied,
});
export const nsRecordSchema = z.object({ ...base, type: z.literal('NS'), content: hostnameSchema, proxied: notProxied });
export const ptrRecordSchema = z.object({ ...base, type: z.literal('PTR'), content: hostnameSchema, proxied: notProxied });
export const soaDataSchema = z.object({
  mname: hostnameSchema,
  rname: hostnameSchema,
  serial: u32.optional(),
  refresh: u32,
  retry: u32,
  expire: u32,
  minimum: u32,
});
export const soaRecordSchema = z.object({ ...base, type: z.literal('SOA'), data: soaDataSchema, proxied: notProxied });
export const srvRecordSchema = z.object({
  ...base,
  type: z.literal('SRV'),
  data: z.object({ priority: u16, weight: u16, port: u16, target: targetOrRoot }),
  proxied: notProxied,
});
export const caaRecordSchema = z.object({
  ...base,
  type: z.literal('CAA'),
  data: z.object({
    flags: z.number().int().min(0).max(255).default(0),
    tag: z.string().regex(/^[a-zA-Z0-9]{1,15}$/, { message: 'CAA tag must be 1-15 letters or digits' }),
    value: z.string().max(1024),
  }),
  proxied: notProxied,
});

export const dnsRecordSchema = z.discriminatedUnion('type', [
  aRecordSchema,
  aaaaRecordSchema,
  cnameRecordSchema,
  mxRecordSchema,
  txtRecordSchema,
  nsRecordSchema,
  ptrRecordSchema,
  soaRecordSchema,
  srvRecordSchema,
  caaRecordSchema,
]);

/** A validated record (defaults applied). */
export type DnsRecord = z.infer<typeof dnsRecordSchema>;
/** A record as accepted at the API (ttl and proxied optional). */
export type DnsRecordInput = z.input<typeof dnsRecordSchema>;

/** SOA settings of a zone; the serial comes from the zone. */
export const soaSettingsSchema = z.object({
  mname: hostnameSchema.optional(),
  rname: hostnameSchema.optional(),
  refresh: u32.default(10000),
  retry: u32.default(2400),
  expire: u32.default(604800),
  minimum: u32.default(300),
  ttl: z.number().int().min(1).max(2147483647).default(3600),
});
export type SoaSettings = z.infer<typeof soaSettingsSchema>;

/** One zone as the DNS server serves it. */
export const dnsZoneSchema = z.object({
  name: z.string().refine((s) => isValidHostname(s), { message: 'invalid zone name' }),
  serial: u32,
  records: z.array(dnsRecordSchema),
  /** The apex NS set Rampart answers (e.g. ['ns1.rampart.test', 'ns2.rampart.test']); empty = use the zone's NS records. */
  nameservers: z.array(hostnameSchema).default([]),
  soa: soaSettingsSchema.optional(),
});
export type DnsZone = z.infer<typeof dnsZoneSchema>;
export type DnsZoneInput = z.input<typeof dnsZoneSchema>;
