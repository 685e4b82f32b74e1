/**
 * The naive Node reverse proxy of issue 3's benchmark: node:http server + one undici Pool with keep-alive, bodies
 * streamed both ways, headers copied minus hop-by-hop. No routing, no logging, no metrics: the floor Rampart must beat.
 * Usage: node bench/naive-proxy.ts LISTEN_PORT ORIGIN_HOST:ORIGIN_PORT   (prints "listening PORT" when ready)
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);
const port = Number(process.argv[2] ?? 0);
const origin = process.argv[3] ?? '127.0.0.1:8000';
const pool = new Pool(`http://${origin}`, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 });

function strip(h: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = String(h['connection'] ?? '').toLowerCase().split(',').map((s) => s.trim());
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP.has(k) && !listed.includes(k)) out[k] = v;
  return out;
}

const server = createServer((req, res) => {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  pool.request({ method: req.method as 'GET', path: req.url ?? '/', headers: { ...strip(req.headers), host: req.headers.host ?? origin }, body: hasBody ? req : null })
    .then(({ statusCode, headers, body }) => {
      res.writeHead(statusCode, strip(headers));
      pipeline(body, res, () => {});
    })
    .catch(() => { if (!res.headersSent) { res.writeHead(502); } res.end(); });
});
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : port}\n`);
});
process.on('SIGTERM', () => { server.close(); void pool.close(); process.exit(0); });
