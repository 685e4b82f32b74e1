/** Bearer-token authentication for the admin API, compared in constant time (hash, then timingSafeEqual). */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

export class AdminTokenCheck {
  readonly #hash: Buffer;
  constructor(token: string) { this.#hash = digest(token); }
  matches(candidate: string): boolean { return timingSafeEqual(digest(candidate), this.#hash); }
}
