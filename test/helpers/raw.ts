/**
 * Raw HTTP/1.x over TCP for tests that must send bytes no HTTP client would (smuggling, bad framing, upgrades).
 * `rawExchange` writes bytes in one packet and reads back until the server closes the connection or the expected
 * number of complete responses has arrived. A safety bound (not an assertion) stops a hung exchange and reports it
 * as `timedOut`, so a test can fail with a message instead of hanging.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly reason: string;
  readonly version: string;
  /** Lower-cased names; repeated names joined with ', '. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

export interface RawResult {
  /** Complete responses parsed from the bytes received, in order. */
  readonly responses: RawResponse[];
  /** Every byte received. */
  readonly raw: Buffer;
  /** True when the server closed (FIN or reset) the connection. */
  readonly closed: boolean;
  /** True when the safety bound ended the exchange. */
  readonly timedOut: boolean;
}

export interface RawOptions {
  /** Resolve once this many complete responses have arrived (default: wait for the server to close). */
  readonly responses?: number;
  /** Safety bound in ms (default 5000). */
  readonly limitMs?: number;
  /** The bytes answer a HEAD request: responses carry no body. */
  readonly head?: boolean;
}

/** Parse as many complete HTTP/1.x responses as `buf` holds; `eof` lets a close-delimited body complete. */
export function parseResponses(buf: Buffer, eof = false, head = false): { responses: RawResponse[]; rest: Buffer } {
  const responses: RawResponse[] = [];
  let off = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', off, 'latin1');
    if (end < 0) break;
    const lines = buf.subarray(off, end).toString('latin1').split('\r\n');
    const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    if (!m) break;
    const status = Number(m[2]);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const c = l.indexOf(':');
      if (c <= 0) continue;
      const k = l.slice(0, c).trim().toLowerCase();
      const v = l.slice(c + 1).trim();
      headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
    }
    let p = end + 4;
    let body: Buffer;
    if (head || status === 204 || status === 304 || (status >= 100 && status < 200)) {
      body = Buffer.alloc(0);
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = [];
      let done = false;
      for (;;) {
        const le = buf.indexOf('\r\n', p, 'latin1');
        if (le < 0) break;
        const size = parseInt(buf.subarray(p, le).toString('latin1').split(';')[0] ?? '', 16);
        if (!Number.isFinite(size)) break;
        if (size === 0) {
          // trailers until an empty line
          let q = le + 2;
          for (;;) {
            const te = buf.indexOf('\r\n', q, 'latin1');
            if (te < 0) { q = -1; break; }
            if (te === q) { q = te + 2; break; }
            q = te + 2;
          }
          if (q < 0) break;
          p = q; done = true; break;
        }
        if (le + 2 + size + 2 > buf.length) break;
        parts.push(buf.subarray(le + 2, le + 2 + size));
        p = le + 2 + size + 2;
      }
      if (!done) break;
      body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      if (p + n > buf.length) break;
      body = buf.subarray(p, p + n);
      p += n;
    } else if (status === 101) {
      body = Buffer.alloc(0);
    } else {
      if (!eof) break;
      body = buf.subarray(p);
      p = buf.length;
    }
    responses.push({ version: m[1] ?? '', status, reason: m[3] ?? '', headers, body });
    off = p;
    if (status === 101) break; // what follows is the upgraded protocol
  }
  return { responses, rest: buf.subarray(off) };
}

export function rawExchange(port: number, payload: string | Buffer | ReadonlyArray<string | Buffer>, opts: RawOptions = {}): Promise<RawResult> {
  const want = opts.responses;
  const limit = opts.limitMs ?? 5000;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    let closed = false;
    const s: Socket = connect(port, '127.0.0.1');
    const finish = (timedOut: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      const { responses } = parseResponses(raw, closed, opts.head ?? false);
      s.destroy();
      resolve({ responses, raw, closed, timedOut });
    };
    const timer = setTimeout(() => finish(true), limit);
    s.on('connect', () => {
      const parts = Array.isArray(payload) ? payload : [payload];
      for (const p of parts) s.write(p as string | Buffer);
    });
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      if (want !== undefined && parseResponses(Buffer.concat(chunks), false, opts.head ?? false).responses.length >= want) finish(false);
    });
    s.on('end', () => { closed = true; finish(false); });
    s.on('close', () => { closed = true; finish(false); });
    s.on('error', () => { closed = true; finish(false); });
  });
}

/** An open raw connection for step-by-step exchanges (upgrades, keep-alive probing). */
export interface RawConn {
  readonly socket: Socket;
  write(data: string | Buffer): void;
  /** Wait until the bytes received so far satisfy `pred` (or the connection closes, or the safety bound hits). */
  until(pred: (buf: Buffer) => boolean, limitMs?: number): Promise<{ buf: Buffer; ok: boolean; closed: boolean }>;
  /** Every byte received so far. */
  received(): Buffer;
  /** Forget the bytes received so far. */
  clear(): void;
  close(): void;
}

export function rawConnect(port: number, host = '127.0.0.1'): Promise<RawConn> {
  return new Promise((resolve, reject) => {
    const s = connect(port, host);
    let buf = Buffer.alloc(0);
    let closed = false;
    const waiters = new Set<() => void>();
    const poke = (): void => { for (const w of [...waiters]) w(); };
    s.on('data', (d: Buffer) => { buf = Buffer.concat([buf, d]); poke(); });
    s.on('close', () => { closed = true; poke(); });
    s.on('error', () => { closed = true; poke(); });
    s.once('connect', () => {
      s.removeListener('error', reject);
      resolve({
        socket: s,
        write: (d) => { s.write(d); },
        received: () => buf,
        clear: () => { buf = Buffer.alloc(0); },
        close: () => { s.destroy(); },
        until(pred, limitMs = 5000) {
          return new Promise((res) => {
            let timer: NodeJS.Timeout | undefined;
            const check = (): void => {
              const ok = pred(buf);
              if (ok || closed) { waiters.delete(check); clearTimeout(timer); res({ buf, ok, closed }); }
            };
            timer = setTimeout(() => { waiters.delete(check); res({ buf, ok: pred(buf), closed }); }, limitMs);
            waiters.add(check);
            check();
          });
        },
      });
    });
    s.once('error', reject);
  });
}
