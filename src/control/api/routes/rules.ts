/**
 * Zone rules: custom firewall rules (/firewall/rules), rate-limiting rules (/rate_limits) and IP/CIDR/country/ASN
 * access rules (/firewall/access_rules/rules), each list/create/get/patch/put/delete.
 */
import type { ApiRequest, Permission, Router } from '../router.ts';
import type { ZoneResourceService } from '../../services/zone-resources.ts';
import type { AccountResourceService } from '../../services/rule-kinds.ts';

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

/**
 * Account-wide objects, same bodies as the zone's: firewall rules (/accounts/:account_id/firewall/rules, applied to
 * every zone of the account before the zone's own rules) and access rules
 * (/accounts/:account_id/firewall/access_rules/rules, consulted after the zone's). list/create/get/patch/put/delete.
 */
export function registerAccountRuleRoutes<T extends { id: string }>(r: Router, svc: AccountResourceService<T>, base = '/client/v4/accounts/:account_id/firewall/rules'): void {
  const item = `${base}/:rule_id`;
  const noun = svc.noun;
  const acct = (q: ApiRequest, write = false): Promise<string> => svc.account(q.params['account_id']!, q.auth.scope, write);
  r.add({ method: 'GET', path: base, auth: 'token', permission: 'zone:read', summary: `The ${noun}s (applied to all the account's zones)`,
    handler: async (q) => ({ kind: 'json', result: await svc.list(await acct(q)) }) });
  r.add({ method: 'POST', path: base, auth: 'token', permission: 'firewall:edit', summary: `Create an ${noun} (or several from an array)`, body: svc.k.schema,
    handler: async (q) => ({ kind: 'json', result: await svc.create(await acct(q, true), q.body) }) });
  r.add({ method: 'GET', path: item, auth: 'token', permission: 'zone:read', summary: `An ${noun}`,
    handler: async (q) => ({ kind: 'json', result: await svc.get(await acct(q), q.params['rule_id']!) }) });
  r.add({ method: 'PATCH', path: item, auth: 'token', permission: 'firewall:edit', summary: `Change some fields of an ${noun}`,
    handler: async (q) => ({ kind: 'json', result: await svc.update(await acct(q, true), q.params['rule_id']!, q.body ?? {}, false) }) });
  r.add({ method: 'PUT', path: item, auth: 'token', permission: 'firewall:edit', summary: `Replace an ${noun}`, body: svc.k.schema,
    handler: async (q) => ({ kind: 'json', result: await svc.update(await acct(q, true), q.params['rule_id']!, q.body ?? {}, true) }) });
  r.add({ method: 'DELETE', path: item, auth: 'token', permission: 'firewall:edit', summary: `Delete an ${noun}`,
    handler: async (q) => ({ kind: 'json', result: await svc.delete(await acct(q, true), q.params['rule_id']!) }) });
}
