/** A real origin for tests: an HTTP server on 127.0.0.1, port 0, that echoes what it received. */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen { method: string; url: string; headers: IncomingMessage['headers']; rawHeaders: string[]; bodyLength: number; remote: string }

export interface TestOrigin {
  readonly port: number;
  readonly address: string;
  readonly server: Server;
  readonly seen: Seen[];
  hits(path: string): number;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** Echo origin. Query options: status=, delay_ms=, size= (bytes of body), header_x=v (response header), max_age=, tag=. */
export async function startOrigin(host = '127.0.0.1', custom?: Handler, listenPort = 0): Promise<TestOrigin> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let n = 0;
    const chunks: Buffer[] = [];
    const keep = req.headers['x-keep-body'] !== undefined;
    req.on('data', (c: Buffer) => { n += c.length; if (keep) chunks.push(c); });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, bodyLength: n, remote: req.socket.remoteAddress ?? '' });
      if (custom) { custom(req, res, Buffer.concat(chunks)); return; }
      const u = new URL(req.url ?? '/', 'http://x');
      const status = Number(u.searchParams.get('status') ?? 200);
      const delay = Number(u.searchParams.get('delay_ms') ?? 0);
      const size = u.searchParams.get('size');
      const extra: Record<string, string> = {};
      for (const [k, v] of u.searchParams) if (k.startsWith('header_')) extra[k.slice(7)] = v;
      const maxAge = u.searchParams.get('max_age');
      if (maxAge !== null) extra['cache-control'] = `public, max-age=${maxAge}`;
      const tag = u.searchParams.get('tag');
      if (tag !== null) extra['cache-tag'] = tag;
      setTimeout(() => {
        if (res.destroyed) return;
        if (size !== null) {
          res.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': Number(size), ...extra });
          res.end(Buffer.alloc(Number(size), 97));
          return;
        }
        const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyLength: n, remote: req.socket.remoteAddress, port: (server.address() as AddressInfo).port });
        res.writeHead(status, { 'content-type': 'application/json', ...extra });
        res.end(body);
      }, delay);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(listenPort, host, () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    port, address: `${host}:${port}`, server, seen,
    hits: (path) => seen.filter((s) => s.url.split('?')[0] === path).length,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}
