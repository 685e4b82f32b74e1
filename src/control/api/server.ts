/**
 * The admin API server: Cloudflare-v4-shaped JSON ({success, errors, messages, result, result_info}) under
 * /client/v4/, bearer-token auth on every route that is not explicitly public (/healthz, /readyz), a JSON body
 * limit, and errors that say what was wrong and where.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Logger } from '../../telemetry/logger.ts';
import { AdminTokenCheck, bearerToken } from './auth.ts';
import { ApiError, API_CODES } from './errors.ts';
import { cookieValue, sameSecret } from '../services/sessions.ts';
import { Router } from './router.ts';
import { grants } from './router.ts';
import type { ApiRequest, AuthInfo, Route, RouteResult, TokenScope } from './router.ts';

const MAX_BODY = 8 * 1024 * 1024;

function send(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

function sendError(res: ServerResponse, e: ApiError, extra: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  send(res, e.status, { success: false, errors: e.errors, messages: [], result: null });
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE') {
    // DELETE may carry a body (Cloudflare's purge does); read it when declared.
    if (req.method !== 'DELETE' || (req.headers['content-length'] ?? '0') === '0') { req.resume(); return undefined; }
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, API_CODES.validation, `request body larger than ${MAX_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ApiError(400, API_CODES.badJson, `body is not valid JSON: ${(e as Error).message}`);
  }
}

export interface AdminServerOptions {
  readonly token: string;
  readonly logger: Logger;
  readonly router: Router;
  /** Scoped API tokens: the scope of a presented secret, or undefined when it is not a live token. */
  readonly verifyToken?: (secret: string, clientIp: string) => Promise<TokenScope | { refused: string } | undefined>;
  /** Resolve a zone reference (id or name) to its id and account, for the resource check of scoped tokens. */
  readonly zoneOf?: (ref: string) => Promise<{ id: string; account: string } | undefined>;
  /** Dashboard sessions (cookie `rampart_session`): the scope of a session id, and its CSRF token. */
  readonly session?: (sid: string) => { scope: TokenScope; csrf: string; email: string } | undefined;
}

export class AdminServer {
  readonly #opts: AdminServerOptions;
  readonly #check: AdminTokenCheck;
  #server: Server | undefined;

  constructor(opts: AdminServerOptions) {
    this.#opts = opts;
    this.#check = new AdminTokenCheck(opts.token);
  }

  get router(): Router { return this.#opts.router; }

  async authenticate(req: IncomingMessage): Promise<AuthInfo | ApiError> {
    const tok = bearerToken(req.headers.authorization);
    if (tok === undefined) {
      // a signed-in member of an account (dashboard): the session cookie, and for any change the CSRF token
      const sid = cookieValue(req.headers.cookie, 'rampart_session');
      const s = sid === undefined ? undefined : this.#opts.session?.(sid);
      if (s !== undefined) {
        const safe = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
        const csrf = req.headers['x-csrf-token'];
        if (!safe && (typeof csrf !== 'string' || !sameSecret(csrf, s.csrf))) return new ApiError(403, API_CODES.forbidden, 'missing or wrong x-csrf-token header (the token given at sign-in)');
        return { kind: 'token', subject: `member:${s.email}`, scope: s.scope };
      }
      return new ApiError(401, API_CODES.unauthenticated, sid === undefined ? 'missing API token: send "Authorization: Bearer <token>"' : 'the session has ended: sign in again');
    }
    if (this.#check.matches(tok)) return { kind: 'admin', subject: 'admin-token' };
    const scope = await this.#opts.verifyToken?.(tok, req.socket.remoteAddress ?? '');
    if (scope !== undefined && 'refused' in scope) return new ApiError(403, API_CODES.forbidden, scope.refused);
    if (scope !== undefined) return { kind: 'token', subject: `token:${scope.id}`, scope };
    return new ApiError(403, API_CODES.forbidden, 'invalid API token');
  }

  /** May this scoped token use this route (and, under /zones/:id, this zone)? Undefined when it may. */
  async #authorise(route: Route, params: Readonly<Record<string, string>>, scope: TokenScope): Promise<ApiError | undefined> {
    if (route.permission === undefined) return new ApiError(403, API_CODES.forbidden, 'this route needs the operator\'s admin token');
    if (!grants(scope, route.permission)) return new ApiError(403, API_CODES.forbidden, `this token lacks the ${route.permission} permission`);
    const ref = route.path.startsWith('/client/v4/zones/:id') ? params['id'] : undefined;
    if (ref !== undefined) {
      const z = await this.#opts.zoneOf?.(ref);
      if (z === undefined) return undefined; // the handler answers 404
      const inScope = z.account === scope.account && (scope.zones === 'account' || scope.zones.has(z.id));
      if (!inScope) return new ApiError(403, API_CODES.forbidden, 'this token does not cover that zone');
    }
    return undefined;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    const method = req.method ?? 'GET';
    const m = this.#opts.router.match(method, url.pathname);
    if ('allowed' in m) {
      req.resume();
      if (m.allowed.length) { sendError(res, new ApiError(405, API_CODES.methodNotAllowed, `method ${method} not allowed on ${url.pathname}; allowed: ${m.allowed.join(', ')}`), { allow: m.allowed.join(', ') }); return; }
      sendError(res, new ApiError(404, API_CODES.routeNotFound, `no route ${method} ${url.pathname}`));
      return;
    }
    let auth: AuthInfo = { kind: 'none', subject: 'anonymous' };
    if (m.route.auth === 'token') {
      const a = await this.authenticate(req);
      if (a instanceof ApiError) { req.resume(); sendError(res, a, a.status === 401 ? { 'www-authenticate': 'Bearer realm="rampart"' } : {}); return; }
      if (a.scope !== undefined) {
        const denied = await this.#authorise(m.route, m.params, a.scope);
        if (denied !== undefined) { req.resume(); sendError(res, denied); return; }
      }
      auth = a;
    }
    try {
      const body = await readBody(req);
      const areq: ApiRequest = { method, path: url.pathname, params: m.params, query: url.searchParams, raw: req, body, auth };
      const out: RouteResult = await m.route.handler(areq, res);
      if (res.headersSent) return;
      if (out.kind === 'raw') {
        res.writeHead(out.status, { 'content-type': out.contentType, 'cache-control': 'no-store' });
        res.end(method === 'HEAD' ? undefined : out.body);
        return;
      }
      send(res, out.status ?? 200, { success: true, errors: [], messages: [], result: out.result, ...(out.resultInfo ? { result_info: out.resultInfo } : {}) });
    } catch (e) {
      if (e instanceof ApiError) { const ra = (e as { retryAfter?: number }).retryAfter; sendError(res, e, ra !== undefined ? { 'retry-after': String(ra) } : {}); return; }
      if (e instanceof z.ZodError) { sendError(res, new ApiError(400, API_CODES.validation, e.issues.map((i) => i.message).join('; '))); return; }
      // the fleet's configuration database is down: refuse the write clearly, nothing was changed
      if ((e as { code?: unknown }).code === 'config.unavailable') {
        this.#opts.logger.error({ err: (e as Error).message, path: url.pathname }, 'admin API call refused: configuration database unreachable');
        sendError(res, new ApiError(503, API_CODES.unavailable, `${(e as Error).message}; nothing was changed, try again when it is back`), { 'retry-after': '5' });
        return;
      }
      this.#opts.logger.error({ err: (e as Error).message, stack: (e as Error).stack, path: url.pathname }, 'admin API fault');
      sendError(res, new ApiError(500, API_CODES.internal, 'internal error (logged)'));
    }
  }

  async listen(host: string, port: number): Promise<number> {
    const srv = createServer({ requireHostHeader: false }, (req, res) => { void this.handle(req, res); });
    this.#server = srv;
    await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen(port, host, () => { srv.removeListener('error', reject); resolve(); }); });
    return (srv.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const s = this.#server;
    if (!s) return;
    await new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); });
  }
}
