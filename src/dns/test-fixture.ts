/** A zone used by the DNS tests (test helper, not part of the public API). */
import type { DnsZoneInput } from './schemas.ts';

export function shopZone(): DnsZoneInput {
  return {
    name: 'shop.test',
    serial: 2026112501,
    nameservers: ['ns1.rampart.test', 'ns2.rampart.test'],
    soa: { mname: 'ns1.rampart.test', rname: 'hostmaster.rampart.test', minimum: 120 },
    records: [
      { id: 'r1', type: 'A', name: 'www', content: '203.0.113.10', proxied: true },
      { id: 'r2', type: 'A', name: 'direct', content: '198.51.100.7', ttl: 600 },
      { id: 'r3', type: 'AAAA', name: 'direct', content: '2001:db8::7' },
      { id: 'r4', type: 'CNAME', name: '@', content: 'direct.shop.test' },
      { id: 'r5', type: 'MX', name: '@', content: 'mail.shop.test', priority: 10 },
      { id: 'r6', type: 'A', name: 'mail', content: '198.51.100.25' },
      { id: 'r7', type: 'TXT', name: '@', content: 'v=spf1 mx -all' },
      { id: 'r8', type: 'A', name: '*.dev', content: '198.51.100.99' },
      { id: 'r9', type: 'TXT', name: 'x.dev', content: 'exists' },
      { id: 'r10', type: 'A', name: 'deep.ent.sub', content: '198.51.100.5' },
      { id: 'r11', type: 'CNAME', name: 'alias', content: 'alias2.shop.test' },
      { id: 'r12', type: 'CNAME', name: 'alias2', content: 'direct.shop.test' },
      { id: 'r13', type: 'CNAME', name: 'dangling', content: 'nothing.shop.test' },
      { id: 'r14', type: 'CNAME', name: 'outside', content: 'example.org' },
      { id: 'r15', type: 'CNAME', name: 'app', content: 'origin.example.net', proxied: true },
      { id: 'r16', type: 'NS', name: 'delegated', content: 'ns.delegated.shop.test' },
      { id: 'r17', type: 'A', name: 'ns.delegated', content: '198.51.100.53' },
      { id: 'r18', type: 'SRV', name: '_sip._tcp', data: { priority: 10, weight: 5, port: 5060, target: 'mail.shop.test' } },
      { id: 'r19', type: 'CAA', name: '@', data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' } },
      { id: 'r20', type: 'PTR', name: 'ptr', content: 'www.shop.test' },
      ...Array.from({ length: 60 }, (_, i) => ({ id: `big${i}`, type: 'TXT' as const, name: 'big', content: `chunk ${i} `.padEnd(40, 'x') })),
    ],
  };
}

export const EDGE = { edgeIPv4: ['192.0.2.1', '192.0.2.2'], edgeIPv6: ['2001:db8:e::1'] };
