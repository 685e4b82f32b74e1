/**
 * Errors of the PostgreSQL adapters. A failure to reach the database (refused, reset, timed out, server shutting
 * down, authentication or database missing) becomes a `StoreUnavailableError` (code `config.unavailable`, status
 * 503, retryable); every other error (a SQL fault, a ConfigConflictError) passes through unchanged. Messages never
 * carry a password: URLs are redacted.
 */

export class StoreUnavailableError extends Error {
  readonly code = 'config.unavailable' as const;
  readonly source = 'internal' as const;
  readonly status = 503;
  readonly retryable = true;
  /** The public message, safe to show to an API client. */
  readonly publicMessage = 'the configuration database is unreachable';
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`the configuration database is unreachable: ${redactSecrets(reason)}`, options);
    this.name = 'StoreUnavailableError';
  }
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`; also `password=...` key-value pairs. */
export function redactSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):\S*@/gi, '$1:***@')
    .replace(/(password\s*=\s*)('[^']*'|"[^"]*"|\S+)/gi, '$1***');
}

/** The URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  return redactSecrets(url);
}

/** Node socket errors that mean "the server is not there". */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED', 'EADDRNOTAVAIL']);

/**
 * SQLSTATEs that mean the database cannot serve us: class 08 (connection exception), 28 (authorisation), 3D000
 * (no such database), 53300 (too many connections), 57P01-57P03 (shutting down, crashed, starting up).
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code.startsWith('28') || code === '3D000' || code === '53300' || code === '57P01' || code === '57P02' || code === '57P03';
}

/** Messages pg uses for a lost or impossible connection (it sets no code on these). */
const PG_CONNECTION_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|Query read timeout|connect ECONNREFUSED)/i;

/** True when `e` says the database could not be reached (as opposed to a query fault). */
export function isUnavailable(e: unknown): boolean {
  if (e instanceof StoreUnavailableError) return true;
  if (e instanceof AggregateError) return e.errors.some(isUnavailable);
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return isUnavailableSqlState(code);
  }
  return PG_CONNECTION_MESSAGE.test(e.message);
}

/** Maps a connectivity failure to StoreUnavailableError; anything else is returned as is (wrapped if not an Error). */
export function toStoreError(e: unknown): Error {
  if (e instanceof StoreUnavailableError) return e;
  if (isUnavailable(e)) {
    const err = e as Error;
    const reason = err.message || (err instanceof AggregateError ? err.errors.map((x: unknown) => (x instanceof Error ? x.message : String(x))).join('; ') : '') || String((err as { code?: unknown }).code ?? 'unknown error');
    return new StoreUnavailableError(reason, { cause: e });
  }
  return e instanceof Error ? e : new Error(String(e));
}
