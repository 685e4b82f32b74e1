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
    default: return ERRORS.badRequest;
  }
}

export function answerClientError(err: Error & { code?: string }, socket: Socket, onCount: (code: string) => void): void {
  if (err.code === 'ECONNRESET' || !socket.writable || socket.destroyed) { socket.destroy(); return; }
  const def = clientErrorDef(err.code);
  onCount(def.code);
  const ray = nextRay();
  const body = errorJson({ def, ray });
  const reason = def.status === 431 ? 'Request Header Fields Too Large' : def.status === 414 ? 'URI Too Long' : def.status === 501 ? 'Not Implemented' : 'Bad Request';
  socket.end(`HTTP/1.1 ${def.status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nrampart-ray: ${ray}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`);
  socket.destroySoon?.();
}
