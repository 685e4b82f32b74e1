/**
 * Zone rules: custom firewall rules (/firewall/rules), rate-limiting rules (/rate_limits) and IP/CIDR/country/ASN
 * access rules (/firewall/access_rules/rules), each list/create/get/patch/put/delete.
 */
import type { Permission, Router } from '../router.ts';
import type { ZoneResourceService } from '../../services/zone-resources.ts';

export function registerResourceRoutes<T extends { id: string }>(r: Router, base: string, svc: ZoneResourceService<T>, write: Permission = 'firewall:edit'): void {
  const noun = svc.k.noun;
  const item = `${base}/:rule_id`;
  r.add({ method: 'GET', path: base, auth: 'token', permission: 'zone:read', summary: `List the zone's ${noun}s`,
    handler: async (q) => ({ kind: 'json', result: await svc.list(q.params['id']!) }) });
  r.add({ method: 'POST', path: base, auth: 'token', permission: write, summary: `Create a ${noun} (or several from an array)`, body: svc.k.schema,
    handler: async (q) => ({ kind: 'json', result: await svc.create(q.params['id']!, q.body) }) });
  r.add({ method: 'GET', path: item, auth: 'token', permission: 'zone:read', summary: `A ${noun}`,
    handler: async (q) => ({ kind: 'json', result: await svc.get(q.params['id']!, q.params['rule_id']!) }) });
  r.add({ method: 'PATCH', path: item, auth: 'token', permission: write, summary: `Change some fields of a ${noun}`,
    handler: async (q) => ({ kind: 'json', result: await svc.update(q.params['id']!, q.params['rule_id']!, q.body ?? {}, false) }) });
  r.add({ method: 'PUT', path: item, auth: 'token', permission: write, summary: `Replace a ${noun}`, body: svc.k.schema,
    handler: async (q) => ({ kind: 'json', result: await svc.update(q.params['id']!, q.params['rule_id']!, q.body ?? {}, true) }) });
  r.add({ method: 'DELETE', path: item, auth: 'token', permission: write, summary: `Delete a ${noun}`,
    handler: async (q) => ({ kind: 'json', result: await svc.delete(q.params['id']!, q.params['rule_id']!) }) });
}
