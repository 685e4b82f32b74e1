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

export type Permission = 'zone:read' | 'zone:edit' | 'dns:edit' | 'firewall:edit' | 'cache:purge' | 'analytics:read' | 'account:admin';
export const PERMISSIONS: readonly Permission[] = ['zone:read', 'zone:edit', 'dns:edit', 'firewall:edit', 'cache:purge', 'analytics:read', 'account:admin'];

/** What a scoped API token may do (Cloudflare-shaped: permissions over resources). */
export interface TokenScope {
  readonly id: string;
  readonly account: string;
  readonly permissions: ReadonlySet<Permission>;
  /** Zone ids the token covers, or 'account' for every zone of its account. */
  readonly zones: ReadonlySet<string> | 'account';
  readonly expiresOn: string | null;
}

export interface AuthInfo {
  /** admin: the operator's bootstrap token (everything); token: a scoped API token; none: a public route. */
  readonly kind: 'admin' | 'token' | 'none';
  readonly subject: string;
  readonly scope?: TokenScope;
}

/** Does a scoped token grant `p`? Edit rights include read rights. */
export function grants(scope: TokenScope, p: Permission | 'any'): boolean {
  if (p === 'any') return true;
  if (scope.permissions.has(p) || scope.permissions.has('account:admin')) return true;
  if (p === 'zone:read') for (const q of scope.permissions) if (q !== 'cache:purge' && q !== 'analytics:read') return true;
  return false;
}

export type RouteResult =
  | { readonly kind: 'json'; readonly result: unknown; readonly status?: number; readonly resultInfo?: Record<string, number> }
  | { readonly kind: 'raw'; readonly status: number; readonly contentType: string; readonly body: string | Buffer };

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly auth: 'token' | 'none';
  /**
   * What a scoped API token needs for this route ('any': any valid token). Without it only the operator's admin
   * token passes: routes are operator-only unless they say otherwise. Routes under /zones/:id also check that the
   * zone is within the token's resources.
   */
  readonly permission?: Permission | 'any';
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
