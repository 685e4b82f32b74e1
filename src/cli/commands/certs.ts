/** `rampart cert renew|list ZONE`: the zone's ACME certificates (issue or renew now; what is stored per name). */
import { api, CliError } from '../client.ts';
import { enc, out, parse } from '../args.ts';

const USAGE = 'rampart cert renew ZONE | list ZONE';

export const certCommands: Record<string, (args: string[]) => Promise<void>> = {
  async cert(args) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'renew': {
        const { values, positionals } = parse(rest, {}, 'rampart cert renew ZONE [--json]');
        if (!positionals[0]) throw new CliError('cert renew: missing the zone name', 2);
        const env = await api<{ names: string[]; expires_on: string; challenge: string }>('POST', `/client/v4/zones/${enc(positionals[0])}/ssl/renew`);
        out(Boolean(values['json']), env, () => `certificate issued for ${env.result.names.join(', ')} (${env.result.challenge}), expires ${env.result.expires_on}`);
        return;
      }
      case 'list': {
        const { values, positionals } = parse(rest, {}, 'rampart cert list ZONE [--json]');
        if (!positionals[0]) throw new CliError('cert list: missing the zone name', 2);
        const env = await api<Array<{ hostname: string; source: string; expires_on: string | null }>>('GET', `/client/v4/zones/${enc(positionals[0])}/ssl/certificates`);
        out(Boolean(values['json']), env, () => env.result.length ? env.result.map((c) => `${c.hostname}\t${c.source}\t${c.expires_on ?? '-'}`).join('\n') : '(no proxied hostnames)');
        return;
      }
      default:
        throw new CliError(`usage: ${USAGE}`, 2);
    }
  },
};
