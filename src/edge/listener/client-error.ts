/**
 * Requests the HTTP parser refuses (smuggling attempts, bad framing, invalid bytes, oversized heads) are answered
 * here, before routing, and never forwarded: 400, 431 for an oversized head, 501 for an unknown transfer coding.
 */
import type { Socket } from 'node:net';
import { ERRORS } from '../errors/codes.ts';
import type { ErrorDef } from '../errors/codes.ts';
import { errorJson } from '../errors/page.ts';
import { nextRay } from '../ray.ts';

export function clientErrorDef(code: string | undefined): ErrorDef {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW': return ERRORS.headersTooLarge;
    case 'HPE_URI_TOO_LONG': return ERRORS.uriTooLong;
    case 'ERR_HTTP_REQUEST_TIMEOUT': return ERRORS.requestTimeout;
    default: return ERRORS.badRequest;
  }
}

export function answerClientError(err: Error & { code?: string; rawPacket?: Buffer }, socket: Socket, onCount: (code: string) => void, maxUri = 8192): void {
  if (err.code === 'ECONNRESET' || !socket.writable || socket.destroyed) { socket.destroy(); return; }
  // A bad request pipelined behind a good one: answer the good one first (its response is still on its way),
  // then the 400, in order, as HTTP/1.1 pipelining requires.
  // (When the request being answered has not finished its own body, the error is in that body: refuse at once.)
  const pending = (socket as Socket & { _httpMessage?: { writableFinished: boolean; req?: { complete: boolean }; once(e: 'finish' | 'close', f: () => void): unknown } | null })._httpMessage;
  if (pending && !pending.writableFinished && pending.req?.complete === true) {
    let once = false;
    const go = (): void => { if (!once) { once = true; setImmediate(() => answerClientError(err, socket, onCount, maxUri)); } };
    pending.once('finish', go);
    pending.once('close', go);
    return;
  }
  let def = clientErrorDef(err.code);
  if (def === ERRORS.headersTooLarge && err.rawPacket !== undefined) {
    // the head overflowed because of the request line alone: that is a URI too long
    const eol = err.rawPacket.indexOf('\r\n');
    if (eol < 0 ? err.rawPacket.length > maxUri : eol > maxUri + 20) def = ERRORS.uriTooLong;
  }
  onCount(def.code);
  const ray = nextRay();
  const body = errorJson({ def, ray });
  const reason = def.status === 431 ? 'Request Header Fields Too Large' : def.status === 414 ? 'URI Too Long' : def.status === 408 ? 'Request Timeout' : def.status === 501 ? 'Not Implemented' : 'Bad Request';
  socket.end(`HTTP/1.1 ${def.status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nrampart-ray: ${ray}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`);
  socket.destroySoon?.();
}
