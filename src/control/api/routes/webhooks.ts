/** Webhooks (operator-only): /client/v4/webhooks, their delivery log, and a test delivery. docs/webhooks.md. */
import type { Router } from '../router.ts';
import { validationError } from '../errors.ts';
import type { z } from 'zod';
import { WebhookInputSchema, WebhookPatchSchema, assertWebhookId } from '../../services/webhooks.ts';
import type { WebhookService } from '../../services/webhooks.ts';

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const p = schema.safeParse(body);
  if (!p.success) throw validationError(p.error);
  return p.data;
}

export function registerWebhookRoutes(r: Router, hooks: WebhookService): void {
  r.add({ method: 'GET', path: '/client/v4/webhooks', auth: 'token', summary: 'Webhooks (secrets never shown: only their last four characters)',
    handler: async () => { const l = await hooks.list(); return { kind: 'json', result: l, resultInfo: { count: l.length } }; } });
  r.add({ method: 'POST', path: '/client/v4/webhooks', auth: 'token', body: WebhookInputSchema,
    summary: 'Create a webhook {url, events[], zones?, description?, enabled?, secret?}; result.secret is shown this once',
    handler: async (q) => ({ kind: 'json', result: await hooks.create(parse(WebhookInputSchema, q.body)) }) });
  r.add({ method: 'GET', path: '/client/v4/webhooks/:id', auth: 'token', summary: 'One webhook',
    handler: async (q) => { assertWebhookId(q.params['id']!); return { kind: 'json', result: await hooks.get(q.params['id']!) }; } });
  r.add({ method: 'PATCH', path: '/client/v4/webhooks/:id', auth: 'token', body: WebhookPatchSchema, summary: 'Change a webhook',
    handler: async (q) => { assertWebhookId(q.params['id']!); return { kind: 'json', result: await hooks.update(q.params['id']!, parse(WebhookPatchSchema, q.body)) }; } });
  r.add({ method: 'DELETE', path: '/client/v4/webhooks/:id', auth: 'token', summary: 'Delete a webhook',
    handler: async (q) => { assertWebhookId(q.params['id']!); return { kind: 'json', result: await hooks.delete(q.params['id']!) }; } });
  r.add({ method: 'GET', path: '/client/v4/webhooks/:id/deliveries', auth: 'token', summary: 'The delivery log of a webhook, newest first (every attempt: status, error, retrying)',
    handler: async (q) => { assertWebhookId(q.params['id']!); await hooks.get(q.params['id']!); return { kind: 'json', result: hooks.deliveries(q.params['id']!) }; } });
  r.add({ method: 'POST', path: '/client/v4/webhooks/:id/test', auth: 'token', summary: 'Send a test event now; answers with the first attempt',
    handler: async (q) => { assertWebhookId(q.params['id']!); return { kind: 'json', result: await hooks.test(q.params['id']!) }; } });
}
