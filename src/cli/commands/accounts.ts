/** `rampart account create|list` and `rampart token create|list|revoke`: accounts and scoped API tokens. */
import { api, CliError } from '../client.ts';
import { enc, out, parse } from '../args.ts';

export const accountCommands: Record<string, (args: string[]) => Promise<void>> = {
  async account(args) {
    const [sub, ...rest] = args;
    if (sub === 'create') {
      const { values, positionals } = parse(rest, { email: { type: 'string' } }, 'rampart account create NAME --email EMAIL [--json]');
      if (!positionals[0] || values['email'] === undefined) throw new CliError('account create: want NAME and --email', 2);
      const env = await api<{ id: string; name: string }>('POST', '/client/v4/accounts', { name: positionals[0], email: values['email'] });
      out(Boolean(values['json']), env, () => `created account ${env.result.name} (id ${env.result.id})`);
      return;
    }
    if (sub === 'list') {
      const { values } = parse(rest, {}, 'rampart account list [--json]');
      const env = await api<Array<{ id: string; name: string; email: string }>>('GET', '/client/v4/accounts');
      out(Boolean(values['json']), env, () => env.result.map((a) => `${a.name}\t${a.id}\t${a.email}`).join('\n') || '(no accounts)');
      return;
    }
    throw new CliError(`account: unknown subcommand "${sub ?? ''}"\nusage: rampart account create NAME --email EMAIL | list`, 2);
  },

  async token(args) {
    const [sub, ...rest] = args;
    const usage = 'rampart token create --account A --permission P [--permission P ...] [--zone Z ...] [--ip CIDR ...] [--expires 30d] [--name N] [--json] | list --account A | revoke --account A ID';
    if (sub === 'create') {
      const { values } = parse(rest, {
        account: { type: 'string' }, permission: { type: 'string', multiple: true }, zone: { type: 'string', multiple: true },
        ip: { type: 'string', multiple: true }, expires: { type: 'string' }, name: { type: 'string' },
      }, usage);
      if (!values['account'] || !values['permission']) throw new CliError(`token create: want --account and at least one --permission\nusage: ${usage}`, 2);
      const body: Record<string, unknown> = { permissions: (values['permission'] as string[]).flatMap((p) => p.split(',')) };
      if (values['zone']) body['zones'] = (values['zone'] as string[]).flatMap((z) => z.split(','));
      if (values['ip']) body['ip_ranges'] = values['ip'];
      if (values['expires'] !== undefined) body['expires_on'] = values['expires'];
      if (values['name'] !== undefined) body['name'] = values['name'];
      const env = await api<{ id: string; value: string; expires_on: string | null }>('POST', `/client/v4/accounts/${enc(String(values['account']))}/tokens`, body);
      out(Boolean(values['json']), env, () => `${env.result.value}\n(token ${env.result.id}${env.result.expires_on ? `, expires ${env.result.expires_on}` : ''}; shown once: store it now)`);
      return;
    }
    if (sub === 'list') {
      const { values } = parse(rest, { account: { type: 'string' } }, usage);
      if (!values['account']) throw new CliError('token list: want --account', 2);
      const env = await api<Array<{ id: string; name: string; permissions: string[]; status: string; expires_on: string | null }>>('GET', `/client/v4/accounts/${enc(String(values['account']))}/tokens`);
      out(Boolean(values['json']), env, () => env.result.map((t) => `${t.id}\t${t.status}\t${t.permissions.join(',')}\t${t.name}${t.expires_on ? `\texpires ${t.expires_on}` : ''}`).join('\n') || '(no tokens)');
      return;
    }
    if (sub === 'revoke') {
      const { values, positionals } = parse(rest, { account: { type: 'string' } }, usage);
      if (!values['account'] || !positionals[0]) throw new CliError('token revoke: want --account and the token id', 2);
      const env = await api('DELETE', `/client/v4/accounts/${enc(String(values['account']))}/tokens/${enc(positionals[0])}`);
      out(Boolean(values['json']), env, () => `revoked token ${positionals[0]}`);
      return;
    }
    throw new CliError(`token: unknown subcommand "${sub ?? ''}"\nusage: ${usage}`, 2);
  },
};
