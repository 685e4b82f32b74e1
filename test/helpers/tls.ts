/**
 * TLS and HTTP/2 client helpers for tests against the HTTPS listener: the certificate a given SNI name gets,
 * ALPN outcome, HTTP/1.1 over TLS with raw bytes, and HTTP/2 requests on one session.
 */
import { connect as tlsConnect } from 'node:tls';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { connect as h2Connect } from 'node:http2';
import type { ClientHttp2Session, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { parseResponses } from './raw.ts';
import type { RawResponse } from './raw.ts';

export interface PeerInfo {
  readonly cert: DetailedPeerCertificate;
  /** SHA-256 fingerprint of the leaf (node's colon-separated hex). */
  readonly fingerprint: string;
  /** DNS names of the subjectAltName extension. */
  readonly dnsNames: string[];
  /** Negotiated ALPN protocol, or false. */
  readonly alpn: string | false;
}

export function dnsNamesOf(cert: { subjectaltname?: string }): string[] {
  return (cert.subjectaltname ?? '').split(/,\s*/).filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
}

function peerOf(s: TLSSocket): PeerInfo {
  const cert = s.getPeerCertificate(true);
  return { cert, fingerprint: cert.fingerprint256, dnsNames: dnsNamesOf(cert), alpn: s.alpnProtocol ?? false };
}

/** Open a TLS connection (no verification), read the peer certificate and ALPN result, close. */
export function tlsPeer(port: number, servername?: string, alpn?: string[]): Promise<PeerInfo> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(servername !== undefined ? { servername } : {}), ...(alpn ? { ALPNProtocols: alpn } : {}) });
    s.once('secureConnect', () => { const p = peerOf(s); s.destroy(); resolve(p); });
    s.once('error', reject);
  });
}

/** One HTTP/1.1 exchange over TLS with raw bytes (the request should carry `Connection: close`); alpn null = offer none. */
export function tlsRawExchange(port: number, servername: string, payload: string | Buffer, alpn: string[] | null = ['http/1.1'], limitMs = 5000): Promise<{ peer: PeerInfo; responses: RawResponse[]; raw: Buffer; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, ...(alpn ? { ALPNProtocols: alpn } : {}) });
    const chunks: Buffer[] = [];
    let peer: PeerInfo | undefined;
    let done = false;
    const finish = (timedOut: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      if (!peer) { reject(new Error('TLS handshake did not complete')); return; }
      const raw = Buffer.concat(chunks);
      resolve({ peer, responses: parseResponses(raw, true).responses, raw, timedOut });
    };
    const timer = setTimeout(() => finish(true), limitMs);
    s.once('secureConnect', () => { peer = peerOf(s); s.write(payload); });
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('end', () => finish(false));
    s.on('close', () => finish(false));
    s.on('error', (e) => { if (!peer) { clearTimeout(timer); done = true; reject(e); } else finish(false); });
  });
}

export interface H2Session {
  readonly session: ClientHttp2Session;
  readonly peer: PeerInfo;
  request(headers: OutgoingHttpHeaders, body?: Buffer | string | AsyncIterable<Buffer>): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>;
  close(): Promise<void>;
}

/** An HTTP/2 session over TLS to 127.0.0.1:port with the given SNI name (ALPN h2 only). */
export function h2Session(port: number, servername: string): Promise<H2Session> {
  return new Promise((resolve, reject) => {
    const session = h2Connect(`https://127.0.0.1:${port}`, { servername, rejectUnauthorized: false, ALPNProtocols: ['h2'] });
    session.once('error', reject);
    session.once('connect', (_s, socket) => {
      session.removeListener('error', reject);
      session.on('error', () => {});
      const peer = peerOf(socket as TLSSocket);
      resolve({
        session, peer,
        request(headers, body) {
          return new Promise((res, rej) => {
            const st = session.request(headers, { endStream: body === undefined });
            const chunks: Buffer[] = [];
            let status = 0;
            let rh: IncomingHttpHeaders = {};
            st.on('response', (h) => { rh = h; status = Number(h[':status']); });
            st.on('data', (c: Buffer) => chunks.push(c));
            st.on('end', () => res({ status, headers: rh, body: Buffer.concat(chunks) }));
            st.on('error', rej);
            if (body === undefined) return;
            if (typeof body === 'string' || Buffer.isBuffer(body)) { st.end(body); return; }
            void (async () => {
              try {
                for await (const c of body) { if (!st.write(c)) await new Promise((d) => st.once('drain', d)); }
                st.end();
              } catch (e) { st.destroy(e as Error); }
            })();
          });
        },
        close: () => new Promise<void>((r) => {
          if (session.closed || session.destroyed) { r(); return; }
          session.once('close', () => r());
          session.close();
        }),
      });
    });
  });
}
