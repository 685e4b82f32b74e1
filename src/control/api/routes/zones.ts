/** /client/v4/zones and what hangs off a zone (origins, settings). */
import { ZoneInputSchema, ZonePatchSchema, ZoneSettingsSchema } from '../../../config/schema.ts';
import type { Zone } from '../../../config/schema.ts';
import type { ZoneService } from '../../services/zones.ts';
import { OriginsInputSchema, SuspendInputSchema } from '../../services/zones.ts';
import { SUSPENSION_REASONS, SuspensionReasonSchema } from '../../../config/legal.ts';
import type { Router } from '../router.ts';
import { ApiError, API_CODES } from '../errors.ts';

/** The nameservers a zone is told to set (RAMPART_NAMESERVERS; main.ts sets the list). */
export const NAMESERVERS: { list: readonly string[] } = { list: [] };

export function zoneView(z: Zone): Record<string, unknown> {
  const { certificate, ...rest } = z;
  return { ...rest, settings: publicSettings(z.settings), status: z.suspension !== undefined ? 'suspended' : z.review?.status === 'pending' ? 'pending_review' : z.activation?.status ?? 'active', name_servers: NAMESERVERS.list, paused: z.settings.paused, has_certificate: certificate !== undefined };
}

/** issue 6: the origin-pull secret is never read back, only whether it is set (docs/bots-and-origin.md). */
export function publicSettings(s: Zone['settings']): Record<string, unknown> {
  const { origin_pull_secret: secret, ...rest } = s;
  return { ...rest, origin_pull_secret_set: typeof secret === 'string' && secret.length > 0 };
}

function intParam(q: URLSearchParams, name: string, def: number, min: number, max: number): number {
  const v = q.get(name);
  if (v === null) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ApiError(400, API_CODES.validation, `query.${name}: must be an integer from ${min} to ${max}`);
  return n;
}

/** `afterCreate`: sign-up work once a zone exists (the record scan); its answer is merged into the zone's view. */
export function registerZoneRoutes(r: Router, zones: ZoneService, afterCreate?: (zone: Zone, body: Record<string, unknown>) => Promise<Record<string, unknown>>): void {
  r.add({
    method: 'GET', path: '/client/v4/zones', auth: 'token', permission: 'zone:read', summary: 'List zones (?name=, ?account=, ?page=, ?per_page=)',
    handler: async (req) => {
      const page = intParam(req.query, 'page', 1, 1, 1_000_000);
      const perPage = intParam(req.query, 'per_page', 50, 1, 1000);
      let all = await zones.list({ name: req.query.get('name') ?? undefined, account: req.query.get('account') ?? undefined });
      const sc = req.auth.scope;
      if (sc !== undefined) all = all.filter((z) => z.account === sc.account && (sc.zones === 'account' || sc.zones.has(z.id)));
      const slice = all.slice((page - 1) * perPage, page * perPage);
      return { kind: 'json', result: slice.map(zoneView), resultInfo: { page, per_page: perPage, count: slice.length, total_count: all.length, total_pages: Math.max(1, Math.ceil(all.length / perPage)) } };
    },
  });
  r.add({
    method: 'POST', path: '/client/v4/zones', auth: 'token', permission: 'zone:edit', summary: 'Create a zone', body: ZoneInputSchema,
    handler: async (req) => {
      const sc = req.auth.scope;
      if (sc !== undefined) {
        // a token creates zones only in its own account, and only if it covers all of that account's zones
        if (sc.zones !== 'account') throw new ApiError(403, API_CODES.forbidden, 'only a token covering all zones of its account can add zones');
        const b = (req.body ?? {}) as Record<string, unknown>;
        if (b['account'] !== undefined && b['account'] !== sc.account) throw new ApiError(403, API_CODES.forbidden, 'this token does not cover that account');
        const z = await zones.create({ ...b, account: sc.account });
        return { kind: 'json', status: 200, result: { ...zoneView(z), ...(afterCreate ? await afterCreate(z, b) : {}) } };
      }
      const z = await zones.create(req.body);
      return { kind: 'json', status: 200, result: { ...zoneView(z), ...(afterCreate ? await afterCreate(z, (req.body ?? {}) as Record<string, unknown>) : {}) } };
    },
  });
  r.add({
    method: 'GET', path: '/client/v4/zones/:id', auth: 'token', permission: 'zone:read', summary: 'Zone details (by id or name)',
    handler: async (req) => ({ kind: 'json', result: zoneView(await zones.get(req.params['id']!)) }),
  });
  r.add({
    method: 'PATCH', path: '/client/v4/zones/:id', auth: 'token', permission: 'zone:edit', summary: 'Change a zone', body: ZonePatchSchema,
    handler: async (req) => ({ kind: 'json', result: zoneView(await zones.update(req.params['id']!, req.body)) }),
  });
  r.add({
    method: 'DELETE', path: '/client/v4/zones/:id', auth: 'token', permission: 'zone:edit',
    summary: 'Delete a zone and everything it owns. An account token deletes its own zone (reason account_request); the operator must give ?reason=account_request|attack_source|non_payment',
    handler: async (req) => {
      const sc = req.auth.scope;
      const given = req.query.get('reason');
      if (sc === undefined && given === null) throw new ApiError(400, API_CODES.validation, `query.reason: the operator must say why a zone is removed: one of ${Object.keys(SUSPENSION_REASONS).join(', ')} (a zone is never removed for what it publishes; that takes a legal order)`);
      const r = SuspensionReasonSchema.safeParse(given ?? 'account_request');
      if (!r.success) throw new ApiError(400, API_CODES.validation, `query.reason: ${r.error.issues[0]?.message ?? 'invalid'}`);
      if (sc !== undefined && r.data !== 'account_request') throw new ApiError(403, API_CODES.forbidden, 'an account token removes its own zone only at its own request (reason account_request)');
      return { kind: 'json', result: await zones.delete(req.params['id']!, { reason: r.data, note: req.query.get('note') ?? '', by: req.auth.subject }) };
    },
  });
  r.add({
    method: 'POST', path: '/client/v4/zones/:id/suspend', auth: 'token',
    summary: 'Suspend a zone (operator): {reason: account_request|attack_source|non_payment, note}; the edge answers 503 with a notice naming the reason. Never for content: that takes a legal order',
    body: SuspendInputSchema,
    handler: async (req) => ({ kind: 'json', result: zoneView(await zones.suspend(req.params['id']!, req.body, req.auth.subject)) }),
  });
  r.add({
    method: 'POST', path: '/client/v4/zones/:id/unsuspend', auth: 'token', summary: 'Lift a suspension (operator)',
    handler: async (req) => ({ kind: 'json', result: zoneView(await zones.unsuspend(req.params['id']!)) }),
  });
  r.add({
    method: 'GET', path: '/client/v4/zones/:id/origins', auth: 'token', permission: 'zone:read', summary: 'The zone\'s origin pool and health checks',
    handler: async (req) => ({ kind: 'json', result: (await zones.get(req.params['id']!)).pool }),
  });
  r.add({
    method: 'PUT', path: '/client/v4/zones/:id/origins', auth: 'token', permission: 'zone:edit', summary: 'Set the origin pool and health checks', body: OriginsInputSchema,
    handler: async (req) => ({ kind: 'json', result: (await zones.setOrigins(req.params['id']!, req.body)).pool }),
  });
  r.add({
    method: 'GET', path: '/client/v4/zones/:id/settings', auth: 'token', permission: 'zone:read', summary: 'Zone settings',
    handler: async (req) => ({ kind: 'json', result: settingsView((await zones.get(req.params['id']!)).settings) }),
  });
  r.add({
    method: 'PATCH', path: '/client/v4/zones/:id/settings', auth: 'token', permission: 'zone:edit', summary: 'Change zone settings', body: ZoneSettingsSchema.partial(),
    handler: async (req) => ({ kind: 'json', result: settingsView((await zones.updateSettings(req.params['id']!, req.body)).settings) }),
  });
}

/** Settings as Cloudflare lists them: [{id, value, editable}]. */
function settingsView(s: Zone['settings']): Array<{ id: string; value: unknown; editable: boolean }> {
  return Object.entries(publicSettings(s)).map(([id, value]) => ({ id, value, editable: id !== 'origin_pull_secret_set' }));
}

