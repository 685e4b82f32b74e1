/**
 * `rampart rule|ratelimit|access ...`: the zone's custom rules, rate-limiting rules and access rules;
 * `rampart rule add --account A EXPR` for account-wide rules; `rampart list ...` for the account's named lists.
 */
import { api, CliError } from '../client.ts';
import { enc, out, parse } from '../args.ts';

interface Kind { path: string; noun: string; line: (r: Record<string, unknown>) => string }

const KINDS: Record<'rule' | 'ratelimit' | 'access', Kind> = {
  rule: { path: 'firewall/rules', noun: 'rule', line: (r) => `${String(r['id'])}\t${String(r['action'])}\t${r['enabled'] === false ? 'disabled\t' : ''}${String(r['expression'])}` },
  ratelimit: { path: 'rate_limits', noun: 'rate limit', line: (r) => `${String(r['id'])}\t${String(r['requests'])}/${String(r['period'])}s by ${(r['characteristics'] as string[]).join('+')} → ${String(r['action'])}\t${String(r['expression'])}` },
  access: { path: 'firewall/access_rules/rules', noun: 'access rule', line: (r) => `${String(r['id'])}\t${String(r['mode'])}\t${String(r['target'])} ${String(r['value'])}${r['notes'] ? `\t# ${String(r['notes'])}` : ''}` },
};

function intOpt(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new CliError(`--${name}: "${String(v)}" is not a whole number`, 2);
  return n;
}

async function common(k: Kind, sub: string | undefined, rest: string[], which: string): Promise<boolean> {
  if (sub === 'list') {
    const { values, positionals } = parse(rest, {}, `rampart ${which} list ZONE [--json]`);
    if (!positionals[0]) throw new CliError(`${which} list: missing the zone name`, 2);
    const env = await api<Array<Record<string, unknown>>>('GET', `/client/v4/zones/${enc(positionals[0])}/${k.path}`);
    out(Boolean(values['json']), env, () => env.result.length ? env.result.map(k.line).join('\n') : `(no ${k.noun}s)`);
    return true;
  }
  if (sub === 'show' || sub === 'delete') {
    const { values, positionals } = parse(rest, {}, `rampart ${which} ${sub} ZONE ID [--json]`);
    const [zone, id] = positionals;
    if (!zone || !id) throw new CliError(`${which} ${sub}: want ZONE and ID`, 2);
    const env = await api<Record<string, unknown>>(sub === 'show' ? 'GET' : 'DELETE', `/client/v4/zones/${enc(zone)}/${k.path}/${enc(id)}`);
    out(Boolean(values['json']), env, () => sub === 'show' ? JSON.stringify(env.result, null, 2) : `deleted ${k.noun} ${id}`);
    return true;
  }
  return false;
}

export const ruleCommands: Record<string, (args: string[]) => Promise<void>> = {
  async rule(args) {
    const [sub, ...rest] = args;
    const usage = 'rampart rule add (ZONE | --account ACCOUNT) EXPRESSION --action block|challenge|js_challenge|managed_challenge|allow|log [--description D] [--priority N] [--disabled] [--json]';
    if (await common(KINDS.rule, sub, rest, 'rule')) return;
    if (sub !== 'add') throw new CliError(`rule: unknown subcommand "${sub ?? ''}"\nusage: ${usage} | list ZONE | show ZONE ID | delete ZONE ID`, 2);
    const { values, positionals } = parse(rest, { action: { type: 'string' }, description: { type: 'string' }, priority: { type: 'string' }, disabled: { type: 'boolean' }, account: { type: 'string' } }, usage);
    const account = values['account'] as string | undefined;
    const [zone, expression] = account !== undefined ? [undefined, positionals[0]] : positionals;
    if ((!zone && account === undefined) || expression === undefined) throw new CliError(`rule add: want ZONE (or --account ACCOUNT) and EXPRESSION\nusage: ${usage}`, 2);
    if (!values['action']) throw new CliError('rule add: missing --action (block, challenge, js_challenge, managed_challenge, allow, log)', 2);
    const body: Record<string, unknown> = { expression, action: values['action'] };
    if (values['description'] !== undefined) body['description'] = values['description'];
    const pr = intOpt(values['priority'], 'priority'); if (pr !== undefined) body['priority'] = pr;
    if (values['disabled']) body['enabled'] = false;
    const path = account !== undefined ? `/client/v4/accounts/${enc(account)}/firewall/rules` : `/client/v4/zones/${enc(zone as string)}/firewall/rules`;
    const env = await api<Record<string, unknown>>('POST', path, body);
    out(Boolean(values['json']), env, () => `added rule ${String(env.result['id'])} to ${account !== undefined ? `account ${account} (all its zones)` : zone}`);
  },

  async ratelimit(args) {
    const [sub, ...rest] = args;
    const usage = 'rampart ratelimit add ZONE EXPRESSION --characteristics ip.src[,...] --period SECONDS --requests N --action block|challenge|log [--timeout SECONDS] [--counting EXPR] [--counting-status 401,403] [--description D] [--json]';
    if (await common(KINDS.ratelimit, sub, rest, 'ratelimit')) return;
    if (sub !== 'add') throw new CliError(`ratelimit: unknown subcommand "${sub ?? ''}"\nusage: ${usage} | list ZONE | show ZONE ID | delete ZONE ID`, 2);
    const { values, positionals } = parse(rest, {
      characteristics: { type: 'string', multiple: true }, period: { type: 'string' }, requests: { type: 'string' }, action: { type: 'string' },
      timeout: { type: 'string' }, counting: { type: 'string' }, 'counting-status': { type: 'string' }, description: { type: 'string' },
    }, usage);
    const [zone, expression] = positionals;
    if (!zone || expression === undefined) throw new CliError(`ratelimit add: want ZONE and EXPRESSION\nusage: ${usage}`, 2);
    for (const req of ['period', 'requests', 'action']) if (values[req] === undefined) throw new CliError(`ratelimit add: missing --${req}\nusage: ${usage}`, 2);
    const body: Record<string, unknown> = {
      expression,
      characteristics: ((values['characteristics'] as string[] | undefined) ?? ['ip.src']).flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean),
      period: intOpt(values['period'], 'period'), requests: intOpt(values['requests'], 'requests'), action: values['action'],
      timeout: intOpt(values['timeout'], 'timeout') ?? 0,
    };
    if (values['counting'] !== undefined) body['counting_expression'] = values['counting'];
    if (values['counting-status'] !== undefined) {
      body['counting_status_codes'] = String(values['counting-status']).split(',').map((x) => x.trim()).filter(Boolean).map((x) => {
        const n = Number(x);
        if (!Number.isInteger(n) || n < 100 || n > 599) throw new CliError(`--counting-status: "${x}" is not an HTTP status`, 2);
        return n;
      });
    }
    if (values['description'] !== undefined) body['description'] = values['description'];
    const env = await api<Record<string, unknown>>('POST', `/client/v4/zones/${enc(zone)}/rate_limits`, body);
    out(Boolean(values['json']), env, () => `added rate limit ${String(env.result['id'])} to ${zone}`);
  },

  async access(args) {
    const [sub, ...rest] = args;
    const usage = 'rampart access add (ZONE | --account ACCOUNT) (--ip IP | --cidr CIDR | --range A-B | --country CC | --asn N) --action block|challenge|allow|log [--notes TEXT] [--json]';
    if (await common(KINDS.access, sub, rest, 'access')) return;
    if (sub !== 'add') throw new CliError(`access: unknown subcommand "${sub ?? ''}"\nusage: ${usage} | list ZONE | show ZONE ID | delete ZONE ID`, 2);
    const { values, positionals } = parse(rest, {
      ip: { type: 'string' }, cidr: { type: 'string' }, range: { type: 'string' }, country: { type: 'string' }, asn: { type: 'string' },
      action: { type: 'string' }, mode: { type: 'string' }, notes: { type: 'string' }, account: { type: 'string' },
    }, usage);
    const account = values['account'] as string | undefined;
    const zone = positionals[0];
    if (!zone && account === undefined) throw new CliError(`access add: missing the zone name (or --account ACCOUNT)\nusage: ${usage}`, 2);
    const targets = (['ip', 'cidr', 'range', 'country', 'asn'] as const).filter((t) => values[t] !== undefined);
    if (targets.length !== 1) throw new CliError(`access add: give exactly one of --ip, --cidr, --range, --country, --asn\nusage: ${usage}`, 2);
    const target = targets[0]!;
    const mode = values['action'] ?? values['mode'];
    if (!mode) throw new CliError('access add: missing --action (block, challenge, allow, log)', 2);
    const body: Record<string, unknown> = { mode, target, value: values[target] };
    if (values['notes'] !== undefined) body['notes'] = values['notes'];
    const path = account !== undefined ? `/client/v4/accounts/${enc(account)}/firewall/access_rules/rules` : `/client/v4/zones/${enc(zone as string)}/firewall/access_rules/rules`;
    const env = await api<Record<string, unknown>>('POST', path, body);
    out(Boolean(values['json']), env, () => `added access rule ${String(env.result['id'])} (${String(mode)} ${target} ${String(values[target])}) to ${account !== undefined ? `account ${account} (all its zones)` : zone}`);
  },

  async list(args) {
    const [sub, ...rest] = args;
    const usage = 'rampart list create NAME --kind ip|asn|hostname|string [--description D] | add NAME ITEM... [--comment C] | show NAME | delete NAME | ls   (each with [--account ACCOUNT] [--json])';
    const { values, positionals } = parse(rest, { account: { type: 'string' }, kind: { type: 'string' }, description: { type: 'string' }, comment: { type: 'string' } }, usage);
    const base = `/client/v4/accounts/${enc(String(values['account'] ?? 'default'))}/rules/lists`;
    const json = Boolean(values['json']);
    const byName = async (name: string | undefined): Promise<Record<string, unknown>> => {
      if (!name) throw new CliError(`list ${sub ?? ''}: missing the list name\nusage: ${usage}`, 2);
      const env = await api<Array<Record<string, unknown>>>('GET', base);
      const l = env.result.find((x) => x['name'] === name.replace(/^\$/, ''));
      if (!l) throw new CliError(`list ${name} not found`, 1);
      return l;
    };
    switch (sub) {
      case undefined:
      case 'ls': {
        const env = await api<Array<Record<string, unknown>>>('GET', base);
        out(json, env, () => env.result.length ? env.result.map((l) => `$${String(l['name'])}\t${String(l['kind'])}\t${String(l['num_items'])} items\t${String(l['id'])}${l['description'] ? `\t# ${String(l['description'])}` : ''}`).join('\n') : '(no lists)');
        return;
      }
      case 'create': {
        const name = positionals[0];
        if (!name || !values['kind']) throw new CliError(`list create: want NAME and --kind\nusage: ${usage}`, 2);
        const body: Record<string, unknown> = { name: name.replace(/^\$/, ''), kind: values['kind'] };
        if (values['description'] !== undefined) body['description'] = values['description'];
        const env = await api<Record<string, unknown>>('POST', base, body);
        out(json, env, () => `created list $${String(env.result['name'])} (${String(env.result['kind'])}, id ${String(env.result['id'])})`);
        return;
      }
      case 'add': {
        const l = await byName(positionals[0]);
        const items = positionals.slice(1);
        if (items.length === 0) throw new CliError(`list add: give at least one item\nusage: ${usage}`, 2);
        const field = l['kind'] === 'string' ? 'value' : String(l['kind']);
        const body = items.map((v) => ({ [field]: field === 'asn' ? Number(v.replace(/^AS/i, '')) : v, ...(values['comment'] !== undefined ? { comment: values['comment'] } : {}) }));
        const env = await api<Record<string, unknown>>('POST', `${base}/${enc(String(l['id']))}/items`, body);
        out(json, env, () => `list $${String(l['name'])} now holds ${String(env.result['num_items'])} items`);
        return;
      }
      case 'show': {
        const l = await byName(positionals[0]);
        const env = await api<Array<Record<string, unknown>>>('GET', `${base}/${enc(String(l['id']))}/items`);
        out(json, env, () => env.result.length ? env.result.map((x) => {
          const h = x['hostname'] as { url_hostname?: string } | undefined;
          return `${String(x['ip'] ?? x['asn'] ?? h?.url_hostname ?? x['value'])}\t${String(x['id'])}${x['comment'] ? `\t# ${String(x['comment'])}` : ''}`;
        }).join('\n') : '(empty)');
        return;
      }
      case 'delete': {
        const l = await byName(positionals[0]);
        const env = await api<Record<string, unknown>>('DELETE', `${base}/${enc(String(l['id']))}`);
        out(json, env, () => `deleted list $${String(l['name'])}`);
        return;
      }
      default:
        throw new CliError(`list: unknown subcommand "${sub}"\nusage: ${usage}`, 2);
    }
  },
};
