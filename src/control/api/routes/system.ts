/** Node-level routes: health, readiness, metrics, status, reload, and the OpenAPI document. */
import { z } from 'zod';
import type { Router } from '../router.ts';
import { ConfigError } from '../../../config/load.ts';
import { ApiError, API_CODES } from '../errors.ts';

export interface SystemDeps {
  readonly ready: () => boolean;
  readonly metrics: () => Promise<{ contentType: string; body: string }>;
  readonly status: () => Promise<Record<string, unknown>>;
  readonly reload: () => Promise<Record<string, unknown>>;
}

export function registerSystemRoutes(r: Router, deps: SystemDeps): void {
  r.add({ method: 'GET', path: '/healthz', auth: 'none', summary: 'Liveness: the process answers',
    handler: async () => ({ kind: 'raw', status: 200, contentType: 'text/plain', body: 'ok\n' }) });
  r.add({ method: 'GET', path: '/readyz', auth: 'none', summary: 'Readiness: a config snapshot is being served',
    handler: async () => deps.ready() ? { kind: 'raw', status: 200, contentType: 'text/plain', body: 'ready\n' } : { kind: 'raw', status: 503, contentType: 'text/plain', body: 'not ready\n' } });
  r.add({ method: 'GET', path: '/metrics', auth: 'token', summary: 'Prometheus metrics of every worker',
    handler: async () => { const m = await deps.metrics(); return { kind: 'raw', status: 200, contentType: m.contentType, body: m.body }; } });
  r.add({ method: 'GET', path: '/client/v4/system/status', auth: 'token', summary: 'Node status: listeners, workers, config version, zones',
    handler: async () => ({ kind: 'json', result: await deps.status() }) });
  r.add({ method: 'POST', path: '/client/v4/system/reload', auth: 'token', summary: 'Reload the config file (same as SIGHUP)',
    handler: async () => {
      try {
        return { kind: 'json', result: await deps.reload() };
      } catch (e) {
        if (e instanceof ConfigError) throw new ApiError(400, API_CODES.validation, `config file not reloaded, the running config is unchanged: ${e.message}`);
        throw e;
      }
    } });
  r.add({ method: 'GET', path: '/openapi.json', auth: 'token', summary: 'This API, as OpenAPI 3.1',
    handler: async () => ({ kind: 'raw', status: 200, contentType: 'application/json', body: JSON.stringify(openApi(r)) }) });
}

export function openApi(r: Router): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of r.routes) {
    const p = route.path.replace(/:([a-z_]+)/g, '{$1}');
    const params = [...route.path.matchAll(/:([a-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    (paths[p] ??= {})[route.method.toLowerCase()] = {
      summary: route.summary,
      ...(params.length ? { parameters: params } : {}),
      ...(route.auth === 'token' ? { security: [{ bearer: [] }] } : { security: [] }),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }) } } } } : {}),
      responses: { 200: { description: 'Cloudflare-style envelope {success, errors, messages, result}' }, 400: { description: 'invalid request' }, 401: { description: 'no token' }, 403: { description: 'wrong token' } },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Rampart admin API', version: '1' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
