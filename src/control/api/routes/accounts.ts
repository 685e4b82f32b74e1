/** Accounts and their scoped API tokens (/accounts, /accounts/:account_id/tokens) and /user/tokens/verify. */
import type { AccountService } from '../../services/accounts.ts';
import { TokenInputSchema, AccountInputSchema } from '../../services/accounts.ts';
import type { ApiRequest, Router } from '../router.ts';
import { ApiError, API_CODES } from '../errors.ts';

/** An account-admin token may manage its own account only. */
function sameAccount(q: ApiRequest, accountName: string): void {
  if (q.auth.scope !== undefined && q.auth.scope.account !== accountName) throw new ApiError(403, API_CODES.forbidden, 'this token does not cover that account');
}

export function registerAccountRoutes(r: Router, accounts: AccountService): void {
  r.add({ method: 'GET', path: '/client/v4/user/tokens/verify', auth: 'token', permission: 'any', summary: 'Check the presented token (Cloudflare-shaped)',
    handler: async (q) => {
      const s = q.auth.scope;
      return { kind: 'json', result: s === undefined ? { id: 'admin', status: 'active', expires_on: null } : { id: s.id, status: 'active', expires_on: s.expiresOn, account: s.account, permissions: [...s.permissions] } };
    } });
  r.add({ method: 'POST', path: '/client/v4/accounts', auth: 'token', summary: 'Create an account (sign-up)', body: AccountInputSchema,
    handler: async (q) => ({ kind: 'json', result: await accounts.create(q.body) }) });
  r.add({ method: 'GET', path: '/client/v4/accounts', auth: 'token', summary: 'List accounts',
    handler: async () => ({ kind: 'json', result: await accounts.list() }) });
  r.add({ method: 'GET', path: '/client/v4/accounts/:account_id', auth: 'token', permission: 'account:admin', summary: 'An account',
    handler: async (q) => { const a = await accounts.get(q.params['account_id']!); sameAccount(q, a.name); return { kind: 'json', result: a }; } });
  r.add({ method: 'POST', path: '/client/v4/accounts/:account_id/tokens', auth: 'token', permission: 'account:admin', summary: 'Create a scoped API token (the secret is in result.value, shown once)', body: TokenInputSchema,
    handler: async (q) => { const a = await accounts.get(q.params['account_id']!); sameAccount(q, a.name); return { kind: 'json', result: await accounts.createToken(a.id, q.body) }; } });
  r.add({ method: 'GET', path: '/client/v4/accounts/:account_id/tokens', auth: 'token', permission: 'account:admin', summary: 'The account\'s tokens (never their secrets)',
    handler: async (q) => { const a = await accounts.get(q.params['account_id']!); sameAccount(q, a.name); return { kind: 'json', result: await accounts.listTokens(a.id) }; } });
  r.add({ method: 'DELETE', path: '/client/v4/accounts/:account_id/tokens/:token_id', auth: 'token', permission: 'account:admin', summary: 'Revoke a token',
    handler: async (q) => { const a = await accounts.get(q.params['account_id']!); sameAccount(q, a.name); return { kind: 'json', result: await accounts.revokeToken(a.id, q.params['token_id']!) }; } });
}
