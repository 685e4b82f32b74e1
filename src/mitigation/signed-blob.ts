/**
 * The wire format shared by challenge tokens and clearance cookies: `v1.<keyId>.<payload>.<mac>`, where payload is
 * base64url JSON and mac is base64url HMAC-SHA256 over `<purpose>.v1.<keyId>.<payload>` with the key `keyId`.
 * The purpose label keeps a challenge token from ever verifying as a clearance cookie and back.
 * Only characters from base64url and `.` appear, so the value is cookie-, header- and form-safe.
 */
import { b64url, fromB64url, hmacSha256, macEqual } from './crypto-util.ts';
import type { KeyRing } from './key-ring.ts';

export type BlobPurpose = 'challenge' | 'clearance';

const MAX_LEN = 4096;

export function signBlob(purpose: BlobPurpose, payload: object, keyRing: KeyRing): string {
  const { id, secret } = keyRing.primary();
  const body = `v1.${id}.${b64url(JSON.stringify(payload))}`;
  return `${body}.${b64url(hmacSha256(secret, `${purpose}.${body}`))}`;
}

export type OpenResult =
  | { ok: true; payload: Record<string, unknown>; keyId: string }
  | { ok: false; reason: 'malformed' | 'bad_signature' };

/** Check the MAC (constant time) and parse the payload. The MAC is checked before the payload is parsed. */
export function openBlob(purpose: BlobPurpose, value: string, keyRing: KeyRing): OpenResult {
  if (typeof value !== 'string' || value.length > MAX_LEN) return { ok: false, reason: 'malformed' };
  const parts = value.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') return { ok: false, reason: 'malformed' };
  const [, keyId = '', payloadB64 = '', macB64 = ''] = parts;
  const mac = fromB64url(macB64);
  const payloadBuf = fromB64url(payloadB64);
  if (mac === undefined || payloadBuf === undefined || keyId === '') return { ok: false, reason: 'malformed' };
  const secret = keyRing.get(keyId);
  if (secret === undefined) return { ok: false, reason: 'bad_signature' };
  const expected = hmacSha256(secret, `${purpose}.v1.${keyId}.${payloadB64}`);
  if (!macEqual(expected, mac)) return { ok: false, reason: 'bad_signature' };
  let payload: unknown;
  try {
    payload = JSON.parse(payloadBuf.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return { ok: false, reason: 'malformed' };
  return { ok: true, payload: payload as Record<string, unknown>, keyId };
}
