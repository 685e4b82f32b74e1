/**
 * The `rampart` command line. `start` runs a node; `test` runs the suite; everything else talks to the admin
 * API. Every command takes --json (the API's envelope as is), exits non-zero on failure, and says what was
 * wrong and where.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { enableSafeRegex } from '../lib/regex.ts';
import { api, CliError } from './client.ts';
import type { Envelope } from './client.ts';
import { enc, out, parse } from './args.ts';
import { ruleCommands } from './commands/rules.ts';
import { securityCommands } from './commands/security.ts';
import { dnsCommands } from './commands/dns.ts';
import { accountCommands } from './commands/accounts.ts';
import { governanceCommands } from './commands/governance.ts';
import { abuseCommands } from './commands/abuse.ts'; // issue 9: abuse reports
import { certCommands } from './commands/certs.ts';
import { ConfigError, loadConfigFile } from '../config/load.ts';

enableSafeRegex();

interface ZoneView { id: string; name: string; account: string; status: string; pool: { origins: Array<{ address: string; weight: number; enabled: boolean }>; health_check: { enabled: boolean; path: string; interval: number } }; settings: Record<string, unknown>; aliases: string[] }

function zoneLine(z: ZoneView): string {
  return `${z.name}\t${z.id}\t${z.pool.origins.map((o) => o.address + (o.weight !== 1 ? `*${o.weight}` : '')).join(',') || '(no origin)'}\t${String(z.settings['security_level'] ?? '')}`;
}

function zoneDetail(z: ZoneView): string {
  return [
    `zone      ${z.name}`, `id        ${z.id}`, `account   ${z.account}`, `aliases   ${z.aliases.join(', ') || '-'}`,
    `origins   ${z.pool.origins.map((o) => `${o.address} (weight ${o.weight}${o.enabled ? '' : ', disabled'})`).join(', ') || '-'}`,
    `health    ${z.pool.health_check.enabled ? `GET ${z.pool.health_check.path} every ${z.pool.health_check.interval}s` : 'off'}`,
    ...Object.entries(z.settings).map(([k, v]) => `${k.padEnd(9)} ${String(v)}`),
  ].join('\n');
}

const commands: Record<string, (args: string[]) => Promise<void>> = {
  ...ruleCommands,
  ...securityCommands,
  ...dnsCommands,
  ...accountCommands,
  ...governanceCommands,
  ...abuseCommands,
  ...certCommands,
  async start(args) {
    const { values } = parse(args, {
      http: { type: 'string' }, https: { type: 'string' }, admin: { type: 'string' }, data: { type: 'string' },
      config: { type: 'string' }, workers: { type: 'string' }, 'log-level': { type: 'string' }, 'access-log': { type: 'string' }, dns: { type: 'string' },
      role: { type: 'string' }, redis: { type: 'string' }, postgres: { type: 'string' },
    }, 'rampart start [--http ADDR:PORT] [--https ADDR:PORT] [--admin ADDR:PORT] [--dns ADDR:PORT|off] [--data DIR] [--config FILE] [--workers N] [--role all|edge|control] [--redis URL] [--postgres URL]');
    const role = values['role'] as string | undefined;
    if (role !== undefined && role !== 'all' && role !== 'edge' && role !== 'control') throw new CliError(`--role: "${role}" is not one of all, edge, control`, 2);
    const redis = values['redis'] as string | undefined;
    if (redis !== undefined && !/^rediss?:\/\/./.test(redis)) throw new CliError('--redis: want a redis:// URL (redis://host:6379 or redis://:password@host:6379/0)', 2);
    const postgres = values['postgres'] as string | undefined;
    if (postgres !== undefined && !/^postgres(ql)?:\/\/./.test(postgres)) throw new CliError('--postgres: want a postgres:// URL (postgres://user@host:5432/db)', 2);
    const workers = values['workers'] === undefined ? undefined : Number(values['workers']);
    if (workers !== undefined && (!Number.isInteger(workers) || workers < 0)) throw new CliError(`--workers: "${String(values['workers'])}" is not a whole number >= 0`, 2);
    const { startNode } = await import('../main.ts');
    let node;
    try {
      node = await startNode({
        http: values['http'] as string | undefined, https: values['https'] as string | undefined, admin: values['admin'] as string | undefined,
        data: values['data'] as string | undefined, config: values['config'] as string | undefined, workers,
        logLevel: values['log-level'] as string | undefined, accessLog: values['access-log'] as string | undefined, banner: true,
        ...(values['dns'] !== undefined ? { dns: values['dns'] as string } : {}),
        ...(role !== undefined ? { role: role as 'all' | 'edge' | 'control' } : {}), ...(redis !== undefined ? { redis } : {}), ...(postgres !== undefined ? { postgres } : {}),
      });
    } catch (e) {
      if (e instanceof ConfigError) throw new CliError(e.message);
      if ((e as { code?: unknown }).code === 'config.unavailable') throw new CliError((e as Error).message);
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') throw new CliError(`cannot listen: address in use (${err.message}); choose another with --http/--https/--admin`);
      throw e;
    }
    const n = node;
    process.on('SIGHUP', () => { n.reload().then((r) => n.logger.info(r, 'reload'), (e: Error) => n.logger.error({ err: e.message }, 'reload failed; the running config is unchanged')); });
    process.on('SIGUSR2', () => { n.restartWorkers().then(() => n.logger.info('workers restarted'), (e: Error) => n.logger.error({ err: e.message }, 'restart failed')); });
    let stopping = false;
    const stop = (): void => { if (stopping) process.exit(1); stopping = true; n.close().then(() => process.exit(0), () => process.exit(1)); };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  },

  async test(args) {
    const script = fileURLToPath(new URL('../../scripts/test.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', script, ...args], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  },

  async zone(args) {
    const [sub, ...rest] = args;
    const usage = 'rampart zone add NAME [--origin ADDR:PORT ...] [--account A] | list | show NAME | delete NAME --reason R | suspend NAME --reason R | unsuspend NAME | set NAME [--security-level L] [--paused true|false]';
    switch (sub) {
      case 'add': {
        const { values, positionals } = parse(rest, { origin: { type: 'string', multiple: true }, account: { type: 'string' }, alias: { type: 'string', multiple: true }, 'expected-rps': { type: 'string' }, 'under-attack': { type: 'boolean' } }, 'rampart zone add NAME [--origin ADDR:PORT ...] [--account A] [--alias HOST ...] [--expected-rps N] [--under-attack] [--json]');
        const name = positionals[0];
        if (!name) throw new CliError('zone add: missing the zone name, e.g. `rampart zone add shop.test --origin 127.0.0.1:8000`', 2);
        const body: Record<string, unknown> = { name };
        if (values['origin']) body['origins'] = values['origin'];
        if (values['account']) body['account'] = values['account'];
        if (values['alias']) body['aliases'] = values['alias'];
        if (values['expected-rps'] !== undefined) {
          const n = Number(values['expected-rps']);
          if (!Number.isInteger(n) || n < 0) throw new CliError(`--expected-rps: "${String(values['expected-rps'])}" is not a whole number >= 0`, 2);
          body['expected_rps'] = n;
        }
        if (values['under-attack'] === true) body['under_attack'] = true;
        const env = await api<ZoneView>('POST', '/client/v4/zones', body);
        out(Boolean(values['json']), env, () => {
          const r = env.result as ZoneView & { status?: string; name_servers?: string[] };
          return `added zone ${r.name} (id ${r.id}), status ${r.status ?? 'active'}${r.name_servers?.length ? `\nset the domain's nameservers at its registrar to: ${r.name_servers.join(', ')}` : ''}${r.status === 'pending_review' ? '\nthe sign-up waits for the operator\'s review; the site is shielded (under attack mode) meanwhile' : ''}`;
        });
        return;
      }
      case 'list': {
        const { values } = parse(rest, {}, 'rampart zone list [--json]');
        const env = await api<ZoneView[]>('GET', '/client/v4/zones?per_page=1000');
        out(Boolean(values['json']), env, () => env.result.length ? env.result.map(zoneLine).join('\n') : '(no zones)');
        return;
      }
      case 'show': case 'delete': {
        const { values, positionals } = parse(rest, { reason: { type: 'string' }, note: { type: 'string' } }, `rampart zone ${sub} NAME|ID${sub === 'delete' ? ' --reason account_request|attack_source|non_payment [--note TEXT]' : ''} [--json]`);
        const id = positionals[0];
        if (!id) throw new CliError(`zone ${sub}: missing the zone name or id`, 2);
        const q = new URLSearchParams();
        if (sub === 'delete' && values['reason'] !== undefined) q.set('reason', String(values['reason']));
        if (sub === 'delete' && values['note'] !== undefined) q.set('note', String(values['note']));
        const env = await api<ZoneView & { id: string }>(sub === 'show' ? 'GET' : 'DELETE', `/client/v4/zones/${enc(id)}${q.size ? '?' + q.toString() : ''}`);
        out(Boolean(values['json']), env, () => sub === 'show' ? zoneDetail(env.result) : `deleted zone ${id} (id ${env.result.id})`);
        return;
      }
      case 'suspend': case 'unsuspend': {
        const { values, positionals } = parse(rest, { reason: { type: 'string' }, note: { type: 'string' } }, `rampart zone ${sub} NAME|ID${sub === 'suspend' ? ' --reason account_request|attack_source|non_payment [--note TEXT]' : ''} [--json]`);
        const id = positionals[0];
        if (!id) throw new CliError(`zone ${sub}: missing the zone name or id`, 2);
        if (sub === 'suspend' && values['reason'] === undefined) throw new CliError('zone suspend: --reason is required: account_request, attack_source or non_payment (a zone is never suspended for what it publishes; that takes a legal order: rampart legal add)', 2);
        const env = await api<ZoneView & { id: string }>('POST', `/client/v4/zones/${enc(id)}/${sub}`, sub === 'suspend' ? { reason: values['reason'], ...(values['note'] !== undefined ? { note: values['note'] } : {}) } : undefined);
        out(Boolean(values['json']), env, () => `${sub === 'suspend' ? 'suspended' : 'unsuspended'} zone ${id}`);
        return;
      }
      case 'set': {
        const { values, positionals } = parse(rest, { 'security-level': { type: 'string' }, paused: { type: 'string' }, 'auto-mitigation': { type: 'string' } }, 'rampart zone set NAME [--security-level off|essentially_off|low|medium|high|under_attack] [--paused true|false] [--auto-mitigation on|log|off] [--json]');
        const id = positionals[0];
        if (!id) throw new CliError('zone set: missing the zone name or id', 2);
        const settings: Record<string, unknown> = {};
        if (values['security-level'] !== undefined) settings['security_level'] = values['security-level'];
        if (values['paused'] !== undefined) {
          if (values['paused'] !== 'true' && values['paused'] !== 'false') throw new CliError('--paused: want true or false', 2);
          settings['paused'] = values['paused'] === 'true';
        }
        if (values['auto-mitigation'] !== undefined) settings['auto_mitigation'] = values['auto-mitigation'];
        if (Object.keys(settings).length === 0) throw new CliError('zone set: nothing to change; give --security-level, --paused or --auto-mitigation', 2);
        const env = await api('PATCH', `/client/v4/zones/${enc(id)}/settings`, settings);
        out(Boolean(values['json']), env, () => `updated ${id}: ${Object.entries(settings).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
        return;
      }
      default: throw new CliError(`zone: unknown subcommand "${sub ?? ''}"\nusage: ${usage}`, 2);
    }
  },

  async origin(args) {
    const [sub, ...rest] = args;
    const usage = 'rampart origin set NAME --origin ADDR:PORT[*WEIGHT] ... [--health-path /healthz] [--health-interval S] [--health-timeout S] [--expected-status 200|2xx] [--no-health] [--json]';
    if (sub !== 'set' && sub !== 'show') throw new CliError(`origin: unknown subcommand "${sub ?? ''}"\nusage: ${usage}`, 2);
    const { values, positionals } = parse(rest, {
      origin: { type: 'string', multiple: true }, 'health-path': { type: 'string' }, 'health-interval': { type: 'string' },
      'health-timeout': { type: 'string' }, 'expected-status': { type: 'string' }, 'no-health': { type: 'boolean' },
      'connect-timeout': { type: 'string' }, 'response-timeout': { type: 'string' }, 'host-header': { type: 'string' },
    }, usage);
    const id = positionals[0];
    if (!id) throw new CliError(`origin ${sub}: missing the zone name`, 2);
    if (sub === 'show') {
      const env = await api<ZoneView['pool']>('GET', `/client/v4/zones/${enc(id)}/origins`);
      out(Boolean(values['json']), env, () => JSON.stringify(env.result, null, 2));
      return;
    }
    const num = (k: string): number | undefined => {
      const v = values[k];
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new CliError(`--${k}: "${String(v)}" is not a number`, 2);
      return n;
    };
    const body: Record<string, unknown> = {};
    if (values['origin']) {
      body['origins'] = (values['origin'] as string[]).map((s) => {
        const m = /^(.*)\*(\d+)$/.exec(s);
        return m ? { address: m[1], weight: Number(m[2]) } : s;
      });
    }
    const hc: Record<string, unknown> = {};
    if (values['health-path'] !== undefined) hc['path'] = values['health-path'];
    if (values['health-interval'] !== undefined) hc['interval'] = num('health-interval');
    if (values['health-timeout'] !== undefined) hc['timeout'] = num('health-timeout');
    if (values['expected-status'] !== undefined) { const s = String(values['expected-status']); hc['expected_status'] = /^\d+$/.test(s) ? Number(s) : s; }
    if (values['no-health']) hc['enabled'] = false;
    else if (Object.keys(hc).length) hc['enabled'] = true;
    if (Object.keys(hc).length) body['health_check'] = hc;
    if (values['connect-timeout'] !== undefined) body['connect_timeout'] = num('connect-timeout');
    if (values['response-timeout'] !== undefined) body['response_timeout'] = num('response-timeout');
    if (values['host-header'] !== undefined) body['host_header'] = values['host-header'];
    if (Object.keys(body).length === 0) throw new CliError('origin set: nothing to change; give --origin or a --health-* option', 2);
    const env = await api<ZoneView['pool']>('PUT', `/client/v4/zones/${enc(id)}/origins`, body);
    out(Boolean(values['json']), env, () => `origins of ${id}: ${env.result.origins.map((o) => o.address).join(', ') || '(none)'}; health checks ${env.result.health_check.enabled ? `GET ${env.result.health_check.path} every ${env.result.health_check.interval}s` : 'off'}`);
  },

  async config(args) {
    const [sub, ...rest] = args;
    if (sub !== 'validate') throw new CliError(`config: unknown subcommand "${sub ?? ''}"\nusage: rampart config validate FILE [--json]`, 2);
    const { values, positionals } = parse(rest, {}, 'rampart config validate FILE [--json]');
    const f = positionals[0];
    if (!f) throw new CliError('config validate: missing the file name', 2);
    try {
      const c = loadConfigFile(f);
      const env: Envelope = { success: true, errors: [], messages: [], result: { file: f, zones: c.zones.length } };
      out(Boolean(values['json']), env, () => `${f}: valid (${c.zones.length} zone${c.zones.length === 1 ? '' : 's'})`);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      if (values['json']) process.stdout.write(JSON.stringify({ success: false, errors: e.problems.map((p) => ({ code: 1004, message: `${p.file}:${p.line}:${p.column}: ${p.path ? p.path + ': ' : ''}${p.message}`, file: p.file, line: p.line, column: p.column, path: p.path })), messages: [], result: null }, null, 2) + '\n');
      throw new CliError(e.message);
    }
  },

  async status(args) {
    const { values } = parse(args, {}, 'rampart status [--json]');
    const env = await api<Record<string, unknown> & { listeners: Record<string, string | null>; workers: unknown[] }>('GET', '/client/v4/system/status');
    out(Boolean(values['json']), env, () => {
      const r = env.result;
      return [`node        ${String(r['node'])} (rampart ${String(r['version'])}, up ${String(r['uptime_s'])}s)`,
        `listeners   http ${r.listeners['http'] ?? 'off'}, https ${r.listeners['https'] ?? 'off'}, admin ${r.listeners['admin'] ?? ''}`,
        `workers     ${r.workers.length}`, `config      version ${String(r['config_version'])}, ${String(r['zones'])} zones`, `data        ${String(r['data'])}`].join('\n');
    });
  },

  async reload(args) {
    const { values } = parse(args, {}, 'rampart reload [--json]');
    const env = await api<Record<string, unknown>>('POST', '/client/v4/system/reload');
    out(Boolean(values['json']), env, () => env.result['reloaded'] ? `reloaded: +${String(env.result['added'])} ~${String(env.result['updated'])} -${String(env.result['removed'])} zones` : `not reloaded: ${String(env.result['reason'])}`);
  },

  async version() {
    const { VERSION } = await import('../main.ts');
    process.stdout.write(`rampart ${VERSION} (node ${process.version})\n`);
  },
};

const HELP = `rampart: an edge shield for many sites

  rampart start [--http ADDR:PORT] [--https ADDR:PORT] [--admin ADDR:PORT] [--data DIR] [--config FILE] [--workers N]
                [--role all|edge|control] [--redis URL] [--postgres URL]   (fleet mode: docs/fleet.md)
  rampart test [FILES...]                 run the test suite
  rampart zone add|list|show|delete|set   manage zones (delete: --reason account_request|attack_source|non_payment)
  rampart zone suspend NAME --reason R | unsuspend NAME   the only operational suspensions (content takes a legal order)
  rampart review list | approve ZONE | deny ZONE --reason capacity|verification_failed|abusive_signup
  rampart origin set NAME --origin ADDR:PORT [--health-path P] ...
  rampart rule add ZONE EXPRESSION --action block|challenge|allow|log [--description D]
  rampart ratelimit add ZONE EXPRESSION --characteristics ip.src --period S --requests N --action block [--timeout S]
  rampart access add ZONE --ip|--cidr|--range|--country|--asn VALUE --action block|challenge|allow|log
  rampart rule|ratelimit|access list|show|delete ZONE [ID]   (rule add --account A: account-wide; ratelimit --counting-status)
  rampart list create NAME --kind ip|asn|hostname|string | add NAME ITEM... | show | delete | ls   named lists ($name)
  rampart waf set ZONE --mode off|detect|block --paranoia 1-4 ... | waf show ZONE
  rampart events ZONE [--ray RAY] [--source waf|firewall|...]
  rampart why RAY [--zone ZONE]             the ray trace: every phase a blocked or challenged request went through
  rampart dns add ZONE TYPE NAME CONTENT [--proxied] | list | delete | import ZONE FILE | export ZONE
  rampart cert renew ZONE | list ZONE   certificates through ACME (RAMPART_ACME_DIRECTORY)
  rampart legal add ZONE --court C --case N --date D --jurisdiction DE --document FILE [--paths /a,/b] [--geo] | list | show ID | lift ID --reason R
  rampart abuse list [--zone Z] [--status S] | show TICKET | status TICKET received|forwarded|closed [--note N] | forward TICKET
  rampart audit export > log.jsonl | audit verify [--file log.jsonl]
  rampart transparency report [--period 2026-H2] [--format md|json]
  rampart account create NAME --email E | token create --account A --permission P [--zone Z] [--expires 30d]
  rampart config validate FILE
  rampart status | reload | version

The admin commands talk to RAMPART_API (default http://127.0.0.1:9090) with RAMPART_ADMIN_TOKEN.
Every command takes --json and --help.`;

async function main(argv: string[]): Promise<void> {
  const [cmd, ...args] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') { process.stdout.write(HELP + '\n'); return; }
  if (cmd === '--version') { await commands['version']!([]); return; }
  const fn = commands[cmd];
  if (!fn) throw new CliError(`unknown command "${cmd}"\n\n${HELP}`, 2);
  await fn(args);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof CliError) {
    process.stderr.write(`rampart: error: ${e.message}\n`);
    process.exit(e.exitCode);
  }
  process.stderr.write(`rampart: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
