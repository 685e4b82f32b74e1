/**
 * The in-process driver: runs a test request through a compiled ruleset (phases 1-5) with a built-in echo
 * origin that also understands the albedo `/reflect` endpoint the CRS response tests use.
 */
import type { Ruleset } from '../index.ts';
import type { Driver, Outcome, WireRequest } from './ftw.ts';

function reflect(req: WireRequest): { status: number; headers: Array<[string, string]>; body: Buffer } {
  const path = req.uri.split('?')[0] ?? '';
  if (path === '/reflect' && req.body.length > 0) {
    try {
      const spec = JSON.parse(req.body.toString('utf8')) as { status?: number; headers?: Record<string, string>; body?: string; encodedBody?: string };
      const headers: Array<[string, string]> = Object.entries(spec.headers ?? {}).map(([k, v]) => [k, String(v)]);
      if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'text/plain']);
      const body = spec.encodedBody !== undefined ? Buffer.from(spec.encodedBody, 'base64') : Buffer.from(spec.body ?? '', 'utf8');
      return { status: spec.status ?? 200, headers, body };
    } catch { /* fall through to echo */ }
  }
  return { status: 200, headers: [['Content-Type', 'text/plain']], body: Buffer.from('ok\n') };
}

export class InProcessDriver implements Driver {
  readonly name = 'in-process';
  readonly #ruleset: Ruleset;
  constructor(ruleset: Ruleset) { this.#ruleset = ruleset; }

  async send(req: WireRequest): Promise<Outcome> {
    // HTTP/1.x framing: without Content-Length or Transfer-Encoding there is no body; Content-Length bounds it
    const cl = req.headers.find(([k]) => k.toLowerCase() === 'content-length');
    const te = req.headers.some(([k]) => k.toLowerCase() === 'transfer-encoding');
    if (!te && !req.version.startsWith('HTTP/2')) {
      const n = cl ? Number(cl[1]) : 0;
      req = { ...req, body: Number.isFinite(n) && n >= 0 ? req.body.subarray(0, n) : Buffer.alloc(0) };
    }
    const tx = this.#ruleset.newTransaction({ clientIp: '192.0.2.10', clientPort: 40000, serverIp: '127.0.0.1', serverPort: 80 });
    let it = tx.processRequestHeaders({ method: req.method, uri: req.uri, protocol: req.version, headers: req.headers });
    if (!it && req.body.length > 0) it = tx.appendRequestBody(req.body);
    if (!it) it = tx.processRequestBody();
    let status = it?.status ?? 200;
    if (!it) {
      const res = reflect(req);
      it = tx.processResponseHeaders(res.status, res.headers);
      if (!it) tx.appendResponseBody(res.body);
      if (!it) it = tx.processResponseBody();
      status = it?.status ?? res.status;
    }
    tx.processLogging();
    // eslint-disable-next-line no-control-regex
    const esc = (x: string): string => x.replace(/[\x00-\x1f\x7f-\xff]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
    const log = tx.matches.map((m) => `[id "${m.id}"] [msg "${esc(m.msg)}"] [data "${esc(m.data)}"] [severity "${m.severity}"]`).join('\n')
      + (tx.singleValue('REQBODY_ERROR_MSG') ? `\n${tx.singleValue('REQBODY_ERROR_MSG') ?? ''}` : '');
    return { status, ids: tx.matches.map((m) => m.id), log };
  }
}
