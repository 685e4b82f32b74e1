/** Dashboard sign-in for account members: /auth/login|logout|session, TOTP, and /accounts/:account_id/members. */
import type { ApiRequest, Router } from '../router.ts';
import { ApiError, API_CODES } from '../errors.ts';
import type { SessionService } from '../../services/sessions.ts';
import { cookieValue } from '../../services/sessions.ts';
import type { AccountService } from '../../services/accounts.ts';

const secure = (q: ApiRequest): string => (q.raw.headers['x-forwarded-proto'] === 'https' || process.env['RAMPART_ADMIN_SECURE_COOKIES'] === '1' ? '; Secure' : '');

function sessionMember(q: ApiRequest): string {
  const id = q.auth.scope?.id;
  if (id === undefined || !id.startsWith('session:')) throw new ApiError(403, API_CODES.forbidden, 'only a signed-in member can do this (not an API token)');
  return id.slice('session:'.length);
}

export function registerSessionRoutes(r: Router, sessions: SessionService, accounts: AccountService): void {
  r.add({ method: 'POST', path: '/client/v4/auth/login', auth: 'none', summary: 'Sign in {email, password, totp?}: sets the rampart_session cookie; result.csrf_token goes in x-csrf-token on every change',
    handler: async (q, res) => {
      const s = await sessions.login(q.body, q.raw.socket.remoteAddress ?? '');
      res.setHeader('set-cookie', `rampart_session=${s.sid}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(sessions.ttlMs / 1000)}${secure(q)}`);
      return { kind: 'json', result: { member: s.member, csrf_token: s.csrf, expires_on: s.expires_on } };
    } });
  if (process.env['RAMPART_PUBLIC_SIGNUP'] !== 'off') {
    r.add({ method: 'POST', path: '/client/v4/auth/signup', auth: 'none', summary: 'Sign up {account, email, password}: a new account with its owner, signed in (RAMPART_PUBLIC_SIGNUP=off turns this off)',
      handler: async (q, res) => {
        const s = await sessions.signup(q.body, q.raw.socket.remoteAddress ?? '');
        res.setHeader('set-cookie', `rampart_session=${s.login.sid}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(sessions.ttlMs / 1000)}${secure(q)}`);
        return { kind: 'json', result: { account: s.account, member: s.login.member, csrf_token: s.login.csrf, expires_on: s.login.expires_on } };
      } });
  }
  r.add({ method: 'POST', path: '/client/v4/auth/logout', auth: 'token', permission: 'any', summary: 'Sign out (ends the session)',
    handler: async (q, res) => {
      const sid = cookieValue(q.raw.headers.cookie, 'rampart_session');
      if (sid !== undefined) sessions.logout(sid);
      res.setHeader('set-cookie', `rampart_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure(q)}`);
      return { kind: 'json', result: { signed_out: true } };
    } });
  r.add({ method: 'GET', path: '/client/v4/auth/session', auth: 'token', permission: 'any', summary: 'Who is signed in (member, account, role) and the CSRF token',
    handler: async (q) => {
      const sid = cookieValue(q.raw.headers.cookie, 'rampart_session');
      const s = sid === undefined ? undefined : sessions.session(sid);
      if (s === undefined) throw new ApiError(401, API_CODES.unauthenticated, 'not signed in');
      return { kind: 'json', result: { email: s.email, account: s.scope.account, permissions: [...s.scope.permissions], csrf_token: s.csrf, expires_on: s.scope.expiresOn } };
    } });
  r.add({ method: 'POST', path: '/client/v4/auth/totp/setup', auth: 'token', permission: 'any', summary: 'Start setting up an authenticator app: the secret and otpauth URL',
    handler: async (q) => ({ kind: 'json', result: await sessions.totpSetup(sessionMember(q)) }) });
  r.add({ method: 'POST', path: '/client/v4/auth/totp/enable', auth: 'token', permission: 'any', summary: 'Turn the second factor on {code}: sign-ins then need the six-digit code',
    handler: async (q) => ({ kind: 'json', result: await sessions.totpEnable(sessionMember(q), (q.body as { code?: unknown } | undefined)?.code) }) });
  const sameAccount = async (q: ApiRequest): Promise<string> => {
    const a = await accounts.get(q.params['account_id']!);
    if (q.auth.scope !== undefined && q.auth.scope.account !== a.name) throw new ApiError(403, API_CODES.forbidden, 'this token does not cover that account');
    return a.name;
  };
  r.add({ method: 'GET', path: '/client/v4/accounts/:account_id/members', auth: 'token', permission: 'account:admin', summary: 'The account\'s members and their roles',
    handler: async (q) => ({ kind: 'json', result: await sessions.members(await sameAccount(q)) }) });
  r.add({ method: 'POST', path: '/client/v4/accounts/:account_id/members', auth: 'token', permission: 'account:admin', summary: 'Add a member {email, password (12+), role: owner|admin|analyst}',
    handler: async (q) => ({ kind: 'json', result: await sessions.addMember(await sameAccount(q), q.body) }) });
  r.add({ method: 'DELETE', path: '/client/v4/accounts/:account_id/members/:member_id', auth: 'token', permission: 'account:admin', summary: 'Remove a member (their sessions end)',
    handler: async (q) => ({ kind: 'json', result: await sessions.removeMember(await sameAccount(q), q.params['member_id']!) }) });
}
