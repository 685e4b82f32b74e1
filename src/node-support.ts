/**
 * The node's small start-up helpers, kept out of the composition root (src/main.ts): fault handlers, the admin
 * token, the edge's public addresses, listen addresses.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { parseListenAddress } from './config/schema.ts';

let faultHandlers = false;
/** A stray rejection is logged with its stack, never allowed to take the node down silently. */
export function installFaultHandlers(): void {
  if (faultHandlers) return;
  faultHandlers = true;
  process.on('unhandledRejection', (e: unknown) => { process.stderr.write(`rampart: unhandled rejection: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`); });
}

export function adminTokenFor(dataDir: string, fromEnv: string | undefined): { token: string; source: 'env' | 'file' | 'generated' } {
  if (fromEnv) return { token: fromEnv, source: 'env' };
  const f = join(dataDir, 'admin-token');
  if (existsSync(f)) return { token: readFileSync(f, 'utf8').trim(), source: 'file' };
  const token = 'rpt_' + randomBytes(24).toString('base64url');
  const tmp = f + '.tmp';
  writeFileSync(tmp, token + '\n', { mode: 0o600 });
  renameSync(tmp, f);
  chmodSync(f, 0o600);
  return { token, source: 'generated' };
}

/**
 * The addresses proxied DNS records answer with: RAMPART_EDGE_IPV4 / RAMPART_EDGE_IPV6 (comma lists; IPv6 'none' for none), else this
 * machine's first public-looking address of each family, else loopback.
 */
export function edgeAddresses(cfg?: { ipv4?: string[] | undefined; ipv6?: string[] | undefined }): { v4: string[]; v6: string[] } {
  const list = (v: string | undefined): string[] => (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  let v4 = list(process.env['RAMPART_EDGE_IPV4']);
  let v6 = list(process.env['RAMPART_EDGE_IPV6']);
  // the config file's edge.ipv4 / edge.ipv6, when the environment does not say
  if (v4.length === 0 && cfg?.ipv4?.length) v4 = [...cfg.ipv4];
  if (v6.length === 0 && cfg?.ipv6?.length) v6 = [...cfg.ipv6];
  if (v4.length === 0 || v6.length === 0) {
    const all = Object.values(networkInterfaces()).flat().filter((i) => i !== undefined && !i.internal);
    if (v4.length === 0) v4 = all.filter((i) => i!.family === 'IPv4').map((i) => i!.address).slice(0, 1);
    if (v6.length === 0) v6 = all.filter((i) => i!.family === 'IPv6' && !i!.address.startsWith('fe80')).map((i) => i!.address).slice(0, 1);
  }
  // 'none': proxied names have no AAAA answer (an edge listening on IPv4 only)
  if (process.env['RAMPART_EDGE_IPV6']?.trim() === 'none') v6 = [];
  return { v4: v4.length ? v4 : ['127.0.0.1'], v6 };
}

/** True when a TCP listener can bind host:port now (port 0 always can). */
export function canListen(host: string, port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolveListen) => {
    const srv = createNetServer();
    srv.once('error', () => resolveListen(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolveListen(true)));
  });
}

export function addr(v: string | null | undefined, def: string | null): { host: string; port: number } | undefined {
  const s = v === undefined ? def : v;
  if (s === null || s === '' || s === 'off') return undefined;
  const a = parseListenAddress(s);
  if (!a) throw new Error(`invalid listen address "${s}": want ADDR:PORT`);
  return a;
}
