/**
 * Named lists of an account, Cloudflare-shaped (/accounts/:account_id/rules/lists): list, create, get, update
 * (description), delete (refused while an expression names it), and items: get, add (POST), replace (PUT),
 * delete ({ items: [{ id }] }). Kinds: ip (IPs, CIDRs, ranges), asn, hostname, string. Expressions use `$name`.
 */
import type { ApiRequest, Router } from '../router.ts';
import type { ListService } from '../../services/rule-kinds.ts';
import { ListInputSchema } from '../../../rules/index.ts';

export function registerListRoutes(r: Router, svc: ListService): void {
  const base = '/client/v4/accounts/:account_id/rules/lists';
  const item = `${base}/:list_id`;
  const items = `${item}/items`;
  const acct = (q: ApiRequest, write = false): Promise<string> => svc.account(q.params['account_id']!, q.auth.scope, write);
  r.add({ method: 'GET', path: base, auth: 'token', permission: 'zone:read', summary: "The account's named lists",
    handler: async (q) => ({ kind: 'json', result: await svc.list(await acct(q)) }) });
  r.add({ method: 'POST', path: base, auth: 'token', permission: 'firewall:edit', summary: 'Create a named list ({ name, kind: ip|asn|hostname|string, description })', body: ListInputSchema,
    handler: async (q) => ({ kind: 'json', result: await svc.create(await acct(q, true), q.body) }) });
  r.add({ method: 'GET', path: item, auth: 'token', permission: 'zone:read', summary: 'A named list',
    handler: async (q) => ({ kind: 'json', result: await svc.get(await acct(q), q.params['list_id']!) }) });
  r.add({ method: 'PUT', path: item, auth: 'token', permission: 'firewall:edit', summary: "Update a list's description",
    handler: async (q) => ({ kind: 'json', result: await svc.update(await acct(q, true), q.params['list_id']!, q.body) }) });
  r.add({ method: 'DELETE', path: item, auth: 'token', permission: 'firewall:edit', summary: 'Delete a list no rule uses',
    handler: async (q) => ({ kind: 'json', result: await svc.delete(await acct(q, true), q.params['list_id']!) }) });
  r.add({ method: 'GET', path: items, auth: 'token', permission: 'zone:read', summary: "A list's items",
    handler: async (q) => ({ kind: 'json', result: await svc.items(await acct(q), q.params['list_id']!) }) });
  r.add({ method: 'POST', path: items, auth: 'token', permission: 'firewall:edit', summary: 'Add items ([{ ip | asn | hostname | value, comment }])',
    handler: async (q) => ({ kind: 'json', result: await svc.addItems(await acct(q, true), q.params['list_id']!, q.body) }) });
  r.add({ method: 'PUT', path: items, auth: 'token', permission: 'firewall:edit', summary: 'Replace all items',
    handler: async (q) => ({ kind: 'json', result: await svc.replaceItems(await acct(q, true), q.params['list_id']!, q.body ?? []) }) });
  r.add({ method: 'DELETE', path: items, auth: 'token', permission: 'firewall:edit', summary: 'Delete items by id ({ items: [{ id }] })',
    handler: async (q) => ({ kind: 'json', result: await svc.deleteItems(await acct(q, true), q.params['list_id']!, q.body) }) });
}
