/**
 * The public abuse form on the edge, answered before any zone phase:
 *   - `/.rampart/abuse` on every host the edge answers (zone hosts included: it never shadows a site's own paths);
 *   - `/abuse` only on hosts that are no zone's (the operator's own hostname, an IP): a site's own `/abuse` page
 *     is the site's.
 * Under either base: `GET` the form (the reported host prefilled with the Host, or `?host=`), `POST` a report
 * (form-urlencoded or JSON, at most 32 KiB) → 201 with the ticket and its status URL, `GET /status/TICKET` → status
 * and dates only, `GET /status?ticket=` → 303 to it. Reports are rate limited per client IP (IPv6: per /64) through
 * the CounterStore (default 5 per 10 minutes → 429); status lookups too (60 per 10 minutes). The store failing
 * answers 503 (fail-closed: the form is a flood target). Nothing here touches the site's configuration.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { CounterStore } from '../../state/ports.ts';
import { parseIp } from '../../lib/ip.ts';
import type { AbuseSink, AbuseSubmission } from './types.ts';
import { SUBMISSION_FIELDS } from './types.ts';
import { CSP, createdPage, formPage, messagePage, statusPage } from './page.ts';

/** Edge-internal base, on every host. */
export const ABUSE_PATH = '/.rampart/abuse';
/** Public base, only on hosts that are no zone's. */
export const PUBLIC_ABUSE_PATH = '/abuse';
export const MAX_ABUSE_BODY = 32 * 1024;

export interface AbuseHandlerOptions {
  readonly sink: AbuseSink;
  readonly counters: CounterStore;
  /** Reports per IP (IPv6 /64) per window (default 5). */
  readonly reportsPerWindow?: number;
  /** Status lookups per IP per window (default 60). */
  readonly lookupsPerWindow?: number;
  /** Default 600 000 (10 minutes). */
  readonly windowMs?: number;
  /** Told about sink and store faults (logging, metrics). */
  readonly onError?: (err: unknown) => void;
}

export interface AbuseRequestInfo {
  /** The client's address. */
  readonly ip: string;
  /** The normalised Host of the request. */
  readonly host: string;
  /** The zone's name when the Host is a zone's. */
  readonly zone?: string | undefined;
}

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

export interface AbuseHandler {
  /** Is this request the abuse form's? (`zoneHost`: the Host belongs to a zone.) */
  matches(url: string | undefined, zoneHost: boolean): boolean;
  /** Answers the request (never rejects: faults answer 500/503). */
  handle(req: Req, res: Res, info: AbuseRequestInfo): Promise<void>;
}

/** The rate-limit key of a client: the address, or its /64 for IPv6. */
export function clientKey(ip: string): string {
  const p = parseIp(ip);
  if (p === null) return 'raw:' + ip.slice(0, 64);
  if (p.version === 4) return '4:' + p.value.toString(16);
  return '6:' + (p.value >> 64n).toString(16);
}

function basePath(url: string, zoneHost: boolean): { base: string; rest: string } | undefined {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  for (const base of zoneHost ? [ABUSE_PATH] : [ABUSE_PATH, PUBLIC_ABUSE_PATH]) {
    if (path === base || path.startsWith(base + '/')) return { base, rest: path.slice(base.length) };
  }
  return undefined;
}

const wantsJson = (accept: string | undefined, contentType: string | undefined): boolean =>
  /^application\/json/i.test(contentType ?? '') || (accept !== undefined && /application\/(?:[\w.+-]*\+)?json/i.test(accept) && !/text\/html/i.test(accept));

class BodyTooLarge extends Error {}

async function readBody(req: Req, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) throw new BodyTooLarge();
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function parseFields(body: Buffer, contentType: string): AbuseSubmission | undefined {
  const out: Record<string, string | boolean> = {};
  if (/^application\/json/i.test(contentType)) {
    let j: unknown;
    try { j = JSON.parse(body.toString('utf8')); } catch { return undefined; }
    if (j === null || typeof j !== 'object' || Array.isArray(j)) return undefined;
    for (const k of SUBMISSION_FIELDS) {
      const x = (j as Record<string, unknown>)[k];
      if (typeof x === 'string' || typeof x === 'boolean') out[k] = x;
      else if (typeof x === 'number') out[k] = String(x);
    }
    return out;
  }
  if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
    const p = new URLSearchParams(body.toString('utf8'));
    for (const k of SUBMISSION_FIELDS) { const x = p.get(k); if (x !== null) out[k] = x; }
    return out;
  }
  return undefined;
}

export function createAbuseHandler(o: AbuseHandlerOptions): AbuseHandler {
  const windowMs = o.windowMs ?? 600_000;
  const reports = o.reportsPerWindow ?? 5;
  const lookups = o.lookupsPerWindow ?? 60;
  const onError = o.onError ?? (() => {});

  const send = (req: Req, res: Res, status: number, body: string, type: 'html' | 'json', extra: Record<string, string> = {}): void => {
    if (res.headersSent) { res.destroy(); return; }
    const buf = Buffer.from(body);
    (res as ServerResponse).writeHead(status, {
      'content-type': type === 'html' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
      'content-length': buf.length, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer',
      ...(type === 'html' ? { 'content-security-policy': CSP, 'x-frame-options': 'DENY' } : {}), ...extra,
    });
    (res as ServerResponse).end(req.method === 'HEAD' ? undefined : buf);
  };
  const fail = (req: Req, res: Res, json: boolean, status: number, title: string, text: string, extra: Record<string, string> = {}): void => {
    if (json) send(req, res, status, JSON.stringify({ success: false, errors: [{ field: null, message: text }] }) + '\n', 'json', extra);
    else send(req, res, status, messagePage(title, text), 'html', extra);
  };
  /** true when over the limit; undefined when the store failed. */
  const limited = async (kind: string, ip: string, max: number): Promise<boolean | undefined> => {
    try { return (await o.counters.hit(`abuse:${kind}:${clientKey(ip)}`, windowMs)) > max; } catch (e) { onError(e); return undefined; }
  };

  async function handle(req: Req, res: Res, info: AbuseRequestInfo): Promise<void> {
    const url = req.url ?? '/';
    const m = basePath(url, info.zone !== undefined);
    const json = wantsJson(req.headers.accept, req.headers['content-type']);
    if (m === undefined) { fail(req, res, json, 404, 'Not found', 'No such page.'); return; }
    const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
    const method = req.method ?? 'GET';
    const retry = { 'retry-after': String(Math.ceil(windowMs / 1000)) };

    if (m.rest === '' || m.rest === '/') {
      if (method === 'GET' || method === 'HEAD') {
        const host = query.get('host') ?? (info.zone !== undefined ? info.host : '');
        send(req, res, 200, formPage(m.base, `${m.base}/status`, { values: { host: host.slice(0, 253) }, errors: [] }), 'html');
        return;
      }
      if (method !== 'POST') { fail(req, res, json, 405, 'Method not allowed', 'Use GET or POST.', { allow: 'GET, HEAD, POST' }); return; }
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > MAX_ABUSE_BODY) { fail(req, res, json, 413, 'Report too large', `A report is at most ${MAX_ABUSE_BODY} bytes.`, { connection: 'close' }); return; }
      const over = await limited('post', info.ip, reports);
      if (over === undefined) { fail(req, res, json, 503, 'Try again later', 'Reports cannot be taken right now. Please try again in a few minutes.', { 'retry-after': '60' }); return; }
      if (over) { fail(req, res, json, 429, 'Too many reports', `Too many reports from your network: at most ${reports} every ${Math.round(windowMs / 60_000)} minutes. Please try again later.`, retry); return; }
      let body: Buffer;
      try { body = await readBody(req, MAX_ABUSE_BODY); } catch (e) {
        if (e instanceof BodyTooLarge) { fail(req, res, json, 413, 'Report too large', `A report is at most ${MAX_ABUSE_BODY} bytes.`, { connection: 'close' }); return; }
        throw e;
      }
      const ct = req.headers['content-type'] ?? '';
      const fields = parseFields(body, ct);
      if (fields === undefined) { fail(req, res, json, /json|urlencoded/i.test(ct) ? 400 : 415, 'Unreadable report', 'Send the form fields (application/x-www-form-urlencoded) or a JSON object.'); return; }
      let r;
      try { r = await o.sink.submit(fields); } catch (e) { onError(e); fail(req, res, json, 503, 'Try again later', 'Reports cannot be taken right now. Please try again in a few minutes.', { 'retry-after': '60' }); return; }
      if (!r.ok) {
        if (json) send(req, res, r.status, JSON.stringify({ success: false, errors: r.errors }) + '\n', 'json');
        else send(req, res, r.status, formPage(m.base, `${m.base}/status`, { values: fields, errors: r.errors }), 'html');
        return;
      }
      const statusUrl = `${m.base}/status/${r.ticket}`;
      if (json) send(req, res, 201, JSON.stringify({ success: true, result: { ticket: r.ticket, status_url: statusUrl } }) + '\n', 'json', { location: statusUrl });
      else send(req, res, 201, createdPage(r.ticket, statusUrl), 'html', { location: statusUrl });
      return;
    }

    if (m.rest === '/status' || m.rest.startsWith('/status/')) {
      if (method !== 'GET' && method !== 'HEAD') { fail(req, res, json, 405, 'Method not allowed', 'Use GET.', { allow: 'GET, HEAD' }); return; }
      const raw = m.rest === '/status' ? (query.get('ticket') ?? '') : decodeURIComponentSafe(m.rest.slice('/status/'.length));
      if (m.rest === '/status') {
        const t = raw.trim().toUpperCase();
        if (!/^[A-Z0-9-]{1,20}$/.test(t)) { fail(req, res, json, 404, 'Unknown ticket', 'There is no report with this ticket number.'); return; }
        send(req, res, 303, '', 'html', { location: `${m.base}/status/${encodeURIComponent(t)}` });
        return;
      }
      const over = await limited('status', info.ip, lookups);
      if (over === undefined) { fail(req, res, json, 503, 'Try again later', 'Please try again in a few minutes.', { 'retry-after': '60' }); return; }
      if (over) { fail(req, res, json, 429, 'Too many lookups', 'Too many status lookups from your network. Please try again later.', retry); return; }
      let v;
      try { v = raw.length <= 40 ? await o.sink.status(raw) : undefined; } catch (e) { onError(e); fail(req, res, json, 503, 'Try again later', 'The status cannot be read right now.', { 'retry-after': '60' }); return; }
      if (v === undefined) { fail(req, res, json, 404, 'Unknown ticket', 'There is no report with this ticket number.'); return; }
      if (json) send(req, res, 200, JSON.stringify({ success: true, result: v }) + '\n', 'json');
      else send(req, res, 200, statusPage(v), 'html');
      return;
    }
    fail(req, res, json, 404, 'Not found', 'No such page.');
  }

  return {
    matches: (url, zoneHost) => url !== undefined && basePath(url, zoneHost) !== undefined,
    handle: async (req, res, info) => {
      try { await handle(req, res, info); } catch (e) {
        onError(e);
        if (!res.headersSent) send(req, res, 500, messagePage('Error', 'Something went wrong. Please try again later.'), 'html');
        else res.destroy();
      }
    },
  };
}

function decodeURIComponentSafe(s: string): string {
  try { return decodeURIComponent(s); } catch { return ''; }
}
