/** The zone's WAF settings (/waf/settings) and its security events (/security/events?ray=...). */
import { WafSettingsSchema } from '../../../config/schema.ts';
import type { SecurityEventStore } from '../../../state/ports.ts';
import type { ZoneService } from '../../services/zones.ts';
import type { Router } from '../router.ts';
import { ApiError, API_CODES, validationError } from '../errors.ts';

function num(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const n = name === 'since' || name === 'until' ? (/^\d+$/.test(v) ? Number(v) : Date.parse(v)) : Number(v);
  if (!Number.isFinite(n)) throw new ApiError(400, API_CODES.validation, `query.${name}: "${v}" is not ${name === 'limit' ? 'a number' : 'a time (epoch ms or ISO 8601)'}`);
  return n;
}

export function registerSecurityRoutes(r: Router, zones: ZoneService, events: SecurityEventStore): void {
  r.add({ method: 'GET', path: '/client/v4/zones/:id/waf/settings', auth: 'token', permission: 'zone:read', summary: 'The zone\'s WAF settings (mode, CRS paranoia, thresholds, exclusions, own rules)',
    handler: async (q) => ({ kind: 'json', result: (await zones.get(q.params['id']!)).waf }) });
  r.add({ method: 'PATCH', path: '/client/v4/zones/:id/waf/settings', auth: 'token', permission: 'firewall:edit', summary: 'Change the zone\'s WAF settings', body: WafSettingsSchema.partial(),
    handler: async (q) => {
      const p = WafSettingsSchema.partial().strict().safeParse(q.body ?? {});
      if (!p.success) throw validationError(p.error);
      return { kind: 'json', result: (await zones.update(q.params['id']!, { waf: p.data })).waf };
    } });
  r.add({ method: 'GET', path: '/client/v4/zones/:id/security/events', auth: 'token', permission: 'analytics:read', summary: 'Security events, newest first (?ray=, ?source=, ?ip=, ?since=, ?until=, ?limit=)',
    handler: async (q) => {
      const zone = await zones.get(q.params['id']!);
      const qs = q.query;
      const limit = num(qs, 'limit');
      const since = num(qs, 'since');
      const until = num(qs, 'until');
      const list = await events.query({
        zoneId: zone.id,
        ...(qs.get('ray') !== null ? { ray: qs.get('ray')! } : {}),
        ...(qs.get('source') !== null ? { source: qs.get('source')! } : {}),
        ...(qs.get('ip') !== null ? { clientIp: qs.get('ip')! } : {}),
        ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}), ...(limit !== undefined ? { limit } : {}),
      });
      return { kind: 'json', result: list.map((e) => ({ ...e, time: new Date(e.time).toISOString() })), resultInfo: { count: list.length } };
    } });
}
