/** DNS zones for bot-verification tests (test helper, not public API): PTRs for 127.x and the crawler's A records. */
import type { DnsZoneInput } from '../../dns/index.ts';

const SOA = { mname: 'ns1.rampart.test', rname: 'hostmaster.rampart.test', minimum: 60 };

/** `good` has a googlebot.com PTR that points back; `forged` claims a googlebot.com name that does not. */
export function crawlerDnsZones(ips: { good: string; forged: string }): DnsZoneInput[] {
  const rev = (ip: string): string => ip.split('.').slice(1).reverse().join('.');
  return [
    {
      name: '127.in-addr.arpa', serial: 1, nameservers: ['ns1.rampart.test'], soa: SOA,
      records: [
        { id: 'p1', type: 'PTR', name: rev(ips.good), content: 'crawl-1.googlebot.com' },
        { id: 'p2', type: 'PTR', name: rev(ips.forged), content: 'crawl-2.googlebot.com' },
      ],
    },
    {
      name: 'googlebot.com', serial: 1, nameservers: ['ns1.rampart.test'], soa: SOA,
      records: [
        { id: 'a1', type: 'A', name: 'crawl-1', content: ips.good },
        { id: 'a2', type: 'A', name: 'crawl-2', content: '66.249.66.2' },
      ],
    },
  ];
}
