/**
 * Every error the edge answers with: a stable string code, a stable number (shown to visitors, like Cloudflare's
 * 1xxx/52x codes), the HTTP status, which side failed, and the public text. Log detail is kept apart (the
 * `detail` of EdgeError) and never reaches a client. Documented in docs/errors.md: keep them in step.
 */

export type FailedSide = 'browser' | 'edge' | 'origin';

export interface ErrorDef {
  readonly code: string;
  readonly number: number;
  readonly status: number;
  readonly side: FailedSide;
  readonly title: string;
  readonly text: string;
  readonly retryable: boolean;
}

function def(code: string, number: number, status: number, side: FailedSide, title: string, text: string, retryable = false): ErrorDef {
  return Object.freeze({ code, number, status, side, title, text, retryable });
}

export const ERRORS = {
  unknownHost: def('edge.unknown_host', 1001, 404, 'edge', 'Unknown site',
    'This address is not served by this Rampart edge. Check the site name, or its DNS settings if you own it.'),
  badRequest: def('request.malformed', 1400, 400, 'browser', 'Bad request',
    'The request was malformed and was refused before reaching the site.'),
  uriTooLong: def('request.uri_too_long', 1414, 414, 'browser', 'URI too long',
    'The requested address is longer than this edge accepts.'),
  headersTooLarge: def('request.headers_too_large', 1431, 431, 'browser', 'Request headers too large',
    'The request carried more header data than this edge accepts.'),
  versionNotSupported: def('request.version_not_supported', 1505, 505, 'browser', 'HTTP version not supported',
    'This listener speaks HTTP/1.1; use TLS with ALPN for HTTP/2.'),
  upgradeNotSupported: def('request.upgrade_not_supported', 1426, 400, 'browser', 'Upgrade not supported',
    'Only WebSocket upgrades are passed through this edge.'),
  requestTimeout: def('request.timeout', 1408, 408, 'browser', 'Request timeout',
    'The request was not received in time and was closed.'),
  cacheOnlyIfCached: def('cache.only_if_cached', 1530, 504, 'edge', 'Not in cache',
    'The request asked for a cached answer only (only-if-cached), and none is stored.'),
  methodNotImplemented: def('request.not_implemented', 1501, 501, 'browser', 'Not implemented',
    'The request used a framing or feature this edge does not implement.'),
  noOrigin: def('origin.none_configured', 1523, 503, 'origin', 'No origin configured',
    'This site has no origin server configured yet.'),
  originUnavailable: def('origin.unavailable', 1503, 503, 'origin', 'Origin unavailable',
    'No origin server of this site is healthy at the moment.', true),
  originRefused: def('origin.refused', 1502, 502, 'origin', 'Origin refused the connection',
    'The edge could not connect to the site\'s origin server: it refused or reset the connection.', true),
  originTimeout: def('origin.timeout', 1504, 504, 'origin', 'Origin timed out',
    'The site\'s origin server did not answer in time.', true),
  originBadResponse: def('origin.bad_response', 1520, 502, 'origin', 'Invalid origin response',
    'The site\'s origin server sent a response the edge could not read.', true),
  internal: def('edge.internal', 1500, 500, 'edge', 'Edge error',
    'Something went wrong at the edge. The error has been logged.', true),
} as const;

export type ErrorName = keyof typeof ERRORS;

/** A fault with a stable code; `detail` is for logs only. */
export class EdgeError extends Error {
  readonly def: ErrorDef;
  readonly detail: string;
  constructor(d: ErrorDef, detail: string, options?: { cause?: unknown }) {
    super(d.code, options);
    this.name = 'EdgeError';
    this.def = d;
    this.detail = detail;
  }
  get code(): string { return this.def.code; }
}
