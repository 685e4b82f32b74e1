/**
 * GET /client/v4/reputation/ips/:ip (issue 6, docs/bots-and-origin.md): the shared threat score of an address, its
 * network's score, and the recent events behind them. Operator-only (the admin token): reputation spans every
 * account's zones, so no scoped token may read it.
 *
 * Wiring (src/main.ts, control plane): `registerReputationRoutes(router, createReputationReader(state.kv, systemClock))`
 * with the same KeyValueStore the edge uses (memory/SQLite state of this node, or Redis in a fleet).
 */
import { isIP } from 'node:net';
import type { ReputationReport } from '../../../reputation/index.ts';
import { SECURITY_LEVELS, shouldChallenge } from '../../../mitigation/index.ts';
import type { Router } from '../router.ts';
import { ApiError, API_CODES } from '../errors.ts';

export interface ReputationReader {
  report(ip: string, limit?: number): Promise<ReputationReport>;
}

const round = (n: number): number => Math.round(n * 100) / 100;

export function registerReputationRoutes(r: Router, reader: ReputationReader): void {
  r.add({
    method: 'GET', path: '/client/v4/reputation/ips/:ip', auth: 'token',
    summary: 'Shared IP reputation: score (0-100), the network\'s score, the security levels that challenge it, and the recent events behind them (?limit=, operator only)',
    handler: async (q) => {
      const ip = decodeURIComponent(q.params['ip'] ?? '');
      if (isIP(ip) === 0) throw new ApiError(400, API_CODES.validation, `path.ip: "${ip.slice(0, 64)}" is not an IPv4 or IPv6 address`);
      const l = q.query.get('limit');
      const limit = l === null ? 50 : Number(l);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ApiError(400, API_CODES.validation, 'query.limit: must be an integer from 1 to 1000');
      const rep = await reader.report(ip, limit);
      const events = (list: ReputationReport['events']): unknown[] =>
        list.map((e) => ({ kind: e.kind, weight: e.weight, count: e.count, time: new Date(e.time).toISOString() }));
      return {
        kind: 'json',
        result: {
          ip: rep.ip, subject: rep.subject, score: round(rep.score),
          prefix: rep.prefix, prefix_score: rep.prefixScore === null ? null : round(rep.prefixScore),
          challenged_at: SECURITY_LEVELS.filter((lv) => shouldChallenge(lv, rep.score)),
          events: events(rep.events), prefix_events: events(rep.prefixEvents),
        },
      };
    },
  });
}
