/** Parse the `--dns ADDR:PORT` option: '127.0.0.1:5353', ':5353' (all IPv4 interfaces), '[::]:53', '[::1]:5353'. */
import { isIPv4, isIPv6 } from 'node:net';

export const DEFAULT_DNS_DEV_PORT = 5353;

export function parseDnsListen(s: string, defaultPort = DEFAULT_DNS_DEV_PORT): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(s);
  let host: string;
  let portText: string | undefined;
  if (v6) {
    host = v6[1] ?? '';
    portText = v6[2];
  } else {
    const i = s.lastIndexOf(':');
    if (i >= 0 && s.indexOf(':') === i) {
      host = s.slice(0, i);
      portText = s.slice(i + 1);
    } else {
      host = s;
    }
  }
  if (host === '' || host === '*') host = '0.0.0.0';
  if (!isIPv4(host) && !isIPv6(host)) throw new Error(`invalid DNS listen address '${s}': expected ADDR:PORT with an IP address`);
  const port = portText === undefined || portText === '' ? defaultPort : Number(portText);
  if (!/^[0-9]+$/.test(String(portText ?? defaultPort)) || port > 65535) throw new Error(`invalid DNS listen port in '${s}'`);
  return { host, port };
}
