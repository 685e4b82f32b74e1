/**
 * Automatic mitigation rules of a zone (issue 6; docs/mitigation-auto.md): the rules the edge made on its own,
 * read from the shared KeyValueStore the edge workers publish them to (memory in one process, SQLite state.db
 * between a node's workers, Redis in a fleet).
 *
 *   GET    /client/v4/zones/:id/mitigation/auto           active and recent (ended in the last hour) rules
 *   DELETE /client/v4/zones/:id/mitigation/auto/:ruleId   lift one early (every worker drops it within ~1 s;
 *                                                         its segment is not blamed again for suppressS, 10 min)
 */
import { isActive, liftRule, readRules, segmentLabel } from '../../../mitigation/auto/index.ts';
import type { AutoRule } from '../../../mitigation/auto/index.ts';
import type { KeyValueStore } from '../../../state/ports.ts';
import type { ZoneService } from '../../services/zones.ts';
import type { Router } from '../router.ts';
import { notFound } from '../errors.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

/** The API shape of a rule (snake_case, ISO times). */
export function ruleView(r: AutoRule, now: number): Record<string, unknown> {
  return {
    id: r.id,
    status: r.liftedAt !== undefined ? 'lifted' : isActive(r, now) ? 'active' : 'expired',
    signal: r.signal,
    signal_detail: r.signalDetail,
    segment: r.segment === null ? null : { dimension: r.segment.dim, value: r.segment.key, share_of_surge: r.segment.share, label: segmentLabel(r.segment), ...(r.segment.sample !== undefined ? { sample: r.segment.sample } : {}) },
    action: r.action,
    ...(r.rps !== undefined ? { rate_limit_rps_per_worker: r.rps } : {}),
    ...(r.level !== undefined ? { security_level: r.level } : {}),
    mode: r.mode,
    reason: r.reason,
    created_on: iso(r.createdAt),
    expires_on: iso(r.expiresAt),
    ...(r.liftedAt !== undefined ? { lifted_on: iso(r.liftedAt) } : {}),
  };
}

export function registerAutoMitigationRoutes(r: Router, zones: ZoneService, kv: KeyValueStore, now: () => number = Date.now): void {
  r.add({ method: 'GET', path: '/client/v4/zones/:id/mitigation/auto', auth: 'token', permission: 'zone:read',
    summary: 'Automatic mitigation rules: active and recent, with the signal that fired, the segment matched, the action, created and expiry times',
    handler: async (q) => {
      const zone = await zones.get(q.params['id']!);
      const t = now();
      const rules = await readRules(kv, zone.id);
      const active = rules.filter((x) => isActive(x, t)).sort((a, b) => b.createdAt - a.createdAt);
      const recent = rules.filter((x) => !isActive(x, t)).sort((a, b) => (b.liftedAt ?? b.expiresAt) - (a.liftedAt ?? a.expiresAt));
      return { kind: 'json', result: { mode: (zone.settings as { auto_mitigation?: string }).auto_mitigation ?? 'on', active: active.map((x) => ruleView(x, t)), recent: recent.map((x) => ruleView(x, t)) }, resultInfo: { active: active.length, recent: recent.length } };
    } });
  r.add({ method: 'DELETE', path: '/client/v4/zones/:id/mitigation/auto/:ruleId', auth: 'token', permission: 'firewall:edit',
    summary: 'Lift an automatic mitigation rule before it expires',
    handler: async (q) => {
      const zone = await zones.get(q.params['id']!);
      const lifted = await liftRule(kv, zone.id, q.params['ruleId']!, now());
      if (lifted === undefined) throw notFound(`active automatic rule ${q.params['ruleId']!}`);
      return { kind: 'json', result: ruleView(lifted, now()) };
    } });
}
