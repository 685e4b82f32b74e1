/**
 * A small router for the admin API. Every route is registered here with its method, path, whether it needs a
 * token, and a summary; the auth test enumerates `routes` so no route ships untested, and /openapi.json is
 * generated from the same list.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly raw: IncomingMessage;
  /** Parsed JSON body (undefined when there is none). */
  readonly body: unknown;
  readonly auth: AuthInfo;
}

export interface AuthInfo {
  readonly kind: 'admin' | 'none';
  readonly subject: string;
}

export type RouteResult =
  | { readonly kind: 'json'; readonly result: unknown; readonly status?: number; readonly resultInfo?: Record<string, number> }
  | { readonly kind: 'raw'; readonly status: number; readonly contentType: string; readonly body: string | Buffer };

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly auth: 'token' | 'none';
  readonly summary: string;
  readonly body?: z.ZodType;
  readonly handler: (req: ApiRequest, res: ServerResponse) => Promise<RouteResult>;
}

interface Compiled { route: Route; parts: string[] }

export class Router {
  readonly routes: Route[] = [];
  readonly #compiled: Compiled[] = [];

  add(route: Route): void {
    this.routes.push(route);
    this.#compiled.push({ route, parts: route.path.split('/').filter(Boolean) });
  }

  /** Match a path: the route and params, or which methods exist for the path (for 405). */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | { allowed: string[] } {
    const segs = path.split('/').filter(Boolean);
    const allowed: string[] = [];
    for (const c of this.#compiled) {
      if (c.parts.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segs.length; i++) {
        const p = c.parts[i]!;
        if (p.startsWith(':')) {
          try { params[p.slice(1)] = decodeURIComponent(segs[i]!); } catch { ok = false; break; }
        }
        else if (p !== segs[i]) { ok = false; break; }
      }
      if (!ok) continue;
      if (c.route.method === method || (method === 'HEAD' && c.route.method === 'GET')) return { route: c.route, params };
      allowed.push(c.route.method);
    }
    return { allowed };
  }
}
