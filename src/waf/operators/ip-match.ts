import { parseIp, parseIpEntry, rangeContains } from '../../lib/ip.ts';
import type { IpRange } from '../../lib/ip.ts';
import { registerOperator } from './registry.ts';
import { readListFiles } from './pm-from-file.ts';

export function ipTest(entries: string[]): (input: string) => boolean {
  const ranges: IpRange[] = [];
  for (const e of entries) {
    const r = parseIpEntry(e.trim());
    if (r) ranges.push(r);
  }
  return (input) => {
    const ip = parseIp(input.trim());
    if (!ip) return false;
    return ranges.some((r) => rangeContains(r, ip));
  };
}

/** `@ipMatch LIST` — the input IP is in one of the comma-separated IPs/CIDRs. Example: `SecRule REMOTE_ADDR "@ipMatch 127.0.0.1,10.0.0.0/8"` */
registerOperator({
  name: 'ipMatch',
  doc: '@ipMatch IPS — IP in list; example: "@ipMatch 127.0.0.1,::1,10.0.0.0/8"',
  compile(param) {
    const t = ipTest(param.split(/[,\s]+/).filter((s) => s !== ''));
    return (_tx, input) => t(input);
  },
});

/** `@ipMatchFromFile FILE` (alias `@ipMatchF`) — like @ipMatch, list read from a file. Example: `"@ipMatchFromFile blocked.txt"` */
registerOperator({
  name: 'ipMatchFromFile',
  doc: '@ipMatchFromFile FILE — IP in list file; example: "@ipMatchFromFile bad-ips.data"',
  compile(param, ctx) {
    const t = ipTest(readListFiles(param, ctx.baseDir, ctx.readFile));
    return (_tx, input) => t(input);
  },
}, 'ipMatchF');
