/** `rampart dns add|list|delete|import|export`: the zone's DNS records (Rampart is the zone's authoritative DNS). */
import { readFileSync } from 'node:fs';
import { api, apiBase, CliError } from '../client.ts';
import { enc, out, parse } from '../args.ts';

const USAGE = 'rampart dns add ZONE TYPE NAME CONTENT [--proxied] [--ttl S] [--priority N] [--data JSON] | list ZONE | delete ZONE ID | import ZONE FILE [--replace] | export ZONE';

export const dnsCommands: Record<string, (args: string[]) => Promise<void>> = {
  async dns(args) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'add': {
        const { values, positionals } = parse(rest, { proxied: { type: 'boolean' }, ttl: { type: 'string' }, priority: { type: 'string' }, data: { type: 'string' }, comment: { type: 'string' } }, USAGE);
        const [zone, type, name, content] = positionals;
        if (!zone || !type || !name) throw new CliError(`dns add: want ZONE TYPE NAME CONTENT\nusage: ${USAGE}`, 2);
        const t = type.toUpperCase();
        const body: Record<string, unknown> = { type: t, name };
        if (t === 'SRV' || t === 'CAA') {
          if (values['data'] === undefined) throw new CliError(`dns add: ${t} records take --data JSON (e.g. ${t === 'SRV' ? '\'{"priority":10,"weight":5,"port":5060,"target":"sip.example.test"}\'' : '\'{"flags":0,"tag":"issue","value":"letsencrypt.org"}\''})`, 2);
          try { body['data'] = JSON.parse(String(values['data'])) as unknown; } catch (e) { throw new CliError(`--data: not JSON (${(e as Error).message})`, 2); }
        } else {
          if (content === undefined) throw new CliError(`dns add: missing CONTENT\nusage: ${USAGE}`, 2);
          body['content'] = content;
        }
        if (values['proxied']) body['proxied'] = true;
        const num = (k: string): number | undefined => { const v = values[k]; if (v === undefined) return undefined; const n = Number(v); if (!Number.isInteger(n)) throw new CliError(`--${k}: "${String(v)}" is not a whole number`, 2); return n; };
        if (values['ttl'] !== undefined) body['ttl'] = num('ttl');
        if (values['priority'] !== undefined) body['priority'] = num('priority');
        else if (t === 'MX') body['priority'] = 10;
        if (values['comment'] !== undefined) body['comment'] = values['comment'];
        const env = await api<Record<string, unknown>>('POST', `/client/v4/zones/${enc(zone)}/dns_records`, body);
        out(Boolean(values['json']), env, () => `added ${t} ${name}${body['proxied'] ? ' (proxied)' : ''} to ${zone} (id ${String(env.result['id'])})`);
        return;
      }
      case 'list': {
        const { values, positionals } = parse(rest, {}, 'rampart dns list ZONE [--json]');
        if (!positionals[0]) throw new CliError('dns list: missing the zone name', 2);
        const env = await api<Array<Record<string, unknown>>>('GET', `/client/v4/zones/${enc(positionals[0])}/dns_records`);
        out(Boolean(values['json']), env, () => env.result.length ? env.result.map((r) => `${String(r['id'])}\t${String(r['type'])}\t${String(r['name'])}\t${r['content'] !== undefined ? String(r['content']) : JSON.stringify(r['data'])}\tttl ${String(r['ttl'])}${r['proxied'] ? '\tproxied' : ''}`).join('\n') : '(no records)');
        return;
      }
      case 'delete': {
        const { values, positionals } = parse(rest, {}, 'rampart dns delete ZONE ID [--json]');
        const [zone, id] = positionals;
        if (!zone || !id) throw new CliError('dns delete: want ZONE and ID', 2);
        const env = await api('DELETE', `/client/v4/zones/${enc(zone)}/dns_records/${enc(id)}`);
        out(Boolean(values['json']), env, () => `deleted record ${id}`);
        return;
      }
      case 'import': {
        const { values, positionals } = parse(rest, { replace: { type: 'boolean' } }, 'rampart dns import ZONE FILE [--replace] [--json]');
        const [zone, file] = positionals;
        if (!zone || !file) throw new CliError('dns import: want ZONE and FILE', 2);
        let text: string;
        try { text = readFileSync(file, 'utf8'); } catch (e) { throw new CliError(`dns import: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? ''})`); }
        const env = await api<{ recs_added: number }>('POST', `/client/v4/zones/${enc(zone)}/dns_records/import`, { file: text, replace: Boolean(values['replace']) });
        out(Boolean(values['json']), env, () => `imported ${env.result.recs_added} records into ${zone}`);
        return;
      }
      case 'export': {
        const { positionals } = parse(rest, {}, 'rampart dns export ZONE');
        if (!positionals[0]) throw new CliError('dns export: missing the zone name', 2);
        const token = process.env['RAMPART_ADMIN_TOKEN'];
        const r = await fetch(`${apiBase()}/client/v4/zones/${enc(positionals[0])}/dns_records/export`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
        const text = await r.text();
        if (!r.ok) throw new CliError(`dns export: ${text}`);
        process.stdout.write(text);
        return;
      }
      default: throw new CliError(`dns: unknown subcommand "${sub ?? ''}"\nusage: ${USAGE}`, 2);
    }
  },
};
