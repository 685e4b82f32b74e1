/** `rampart waf set|show` and `rampart events`: the zone's WAF settings and its security events. */
import { readFileSync } from 'node:fs';
import { api, CliError } from '../client.ts';
import { enc, out, parse } from '../args.ts';

export const securityCommands: Record<string, (args: string[]) => Promise<void>> = {
  async waf(args) {
    const [sub, ...rest] = args;
    const usage = 'rampart waf set ZONE [--mode off|detect|block] [--paranoia 1-4] [--inbound-threshold N] [--outbound-threshold N] [--exclude-id ID ...] [--exclude-tag TAG ...] [--rules-file FILE] [--no-managed] [--json] | show ZONE';
    if (sub === 'regression') {
      // the OWASP CRS regression suite against the engine (npm run test:crs); arguments pass through (--rule N, --verbose)
      const { spawnSync } = await import('node:child_process');
      const runner = new URL('../../waf/testdata/crs-regression.ts', import.meta.url).pathname;
      const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', runner, ...rest], { stdio: 'inherit' });
      process.exit(r.status ?? 1);
    }
    if (sub === 'show') {
      const { values, positionals } = parse(rest, {}, 'rampart waf show ZONE [--json]');
      if (!positionals[0]) throw new CliError('waf show: missing the zone name', 2);
      const env = await api<Record<string, unknown>>('GET', `/client/v4/zones/${enc(positionals[0])}/waf/settings`);
      out(Boolean(values['json']), env, () => Object.entries(env.result).map(([k, v]) => `${k.padEnd(19)} ${typeof v === 'string' ? (v.length > 60 ? `${v.split('\n').length} lines` : v || '-') : JSON.stringify(v)}`).join('\n'));
      return;
    }
    if (sub !== 'set') throw new CliError(`waf: unknown subcommand "${sub ?? ''}"\nusage: ${usage}`, 2);
    const { values, positionals } = parse(rest, {
      mode: { type: 'string' }, paranoia: { type: 'string' }, 'inbound-threshold': { type: 'string' }, 'outbound-threshold': { type: 'string' },
      'exclude-id': { type: 'string', multiple: true }, 'exclude-tag': { type: 'string', multiple: true }, 'rules-file': { type: 'string' }, 'no-managed': { type: 'boolean' },
    }, usage);
    const zone = positionals[0];
    if (!zone) throw new CliError(`waf set: missing the zone name\nusage: ${usage}`, 2);
    const body: Record<string, unknown> = {};
    const int = (k: string): number | undefined => {
      const v = values[k];
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n)) throw new CliError(`--${k}: "${String(v)}" is not a whole number`, 2);
      return n;
    };
    if (values['mode'] !== undefined) body['mode'] = values['mode'];
    if (values['paranoia'] !== undefined) body['paranoia'] = int('paranoia');
    if (values['inbound-threshold'] !== undefined) body['inbound_threshold'] = int('inbound-threshold');
    if (values['outbound-threshold'] !== undefined) body['outbound_threshold'] = int('outbound-threshold');
    if (values['exclude-id']) body['exclude_ids'] = (values['exclude-id'] as string[]).flatMap((s) => s.split(',')).map((s) => { const n = Number(s); if (!Number.isInteger(n)) throw new CliError(`--exclude-id: "${s}" is not a rule id`, 2); return n; });
    if (values['exclude-tag']) body['exclude_tags'] = (values['exclude-tag'] as string[]).flatMap((s) => s.split(','));
    if (values['no-managed']) body['managed_rules'] = false;
    if (values['rules-file'] !== undefined) {
      try { body['rules'] = readFileSync(String(values['rules-file']), 'utf8'); } catch (e) { throw new CliError(`--rules-file: cannot read ${String(values['rules-file'])} (${(e as NodeJS.ErrnoException).code ?? ''})`); }
    }
    if (Object.keys(body).length === 0) throw new CliError(`waf set: nothing to change\nusage: ${usage}`, 2);
    const env = await api<Record<string, unknown>>('PATCH', `/client/v4/zones/${enc(zone)}/waf/settings`, body);
    out(Boolean(values['json']), env, () => `WAF of ${zone}: mode ${String(env.result['mode'])}, paranoia ${String(env.result['paranoia'])}, inbound threshold ${String(env.result['inbound_threshold'])}`);
  },

  async events(args) {
    const usage = 'rampart events ZONE [--ray RAY] [--source waf|firewall|ratelimit|access|challenge] [--ip IP] [--since TIME] [--limit N] [--json]';
    const { values, positionals } = parse(args, { ray: { type: 'string' }, source: { type: 'string' }, ip: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' } }, usage);
    const zone = positionals[0];
    if (!zone) throw new CliError(`events: missing the zone name\nusage: ${usage}`, 2);
    const q = new URLSearchParams();
    for (const k of ['ray', 'source', 'ip', 'since', 'limit']) if (values[k] !== undefined) q.set(k, String(values[k]));
    const env = await api<Array<Record<string, unknown>>>('GET', `/client/v4/zones/${enc(zone)}/security/events?${q.toString()}`);
    out(Boolean(values['json']), env, () => env.result.length === 0 ? '(no events)' : env.result.map((e) => {
      const rules = ((e['details'] as { rules?: Array<{ id: number }> } | null)?.rules ?? []).map((r) => r.id).join(',');
      return `${String(e['time'])}  ${String(e['ray'])}  ${String(e['action']).padEnd(9)} ${String(e['source']).padEnd(9)} ${String(e['status'])} ${String(e['client_ip'] ?? e['clientIp'])} ${String(e['method'])} ${String(e['path'])}${rules ? `  rules ${rules}` : ''}`;
    }).join('\n'));
  },

  async why(args) {
    const usage = 'rampart why RAY [--zone ZONE] [--json]';
    const { values, positionals } = parse(args, { zone: { type: 'string' } }, usage);
    const ray = positionals[0];
    if (!ray) throw new CliError(`why: missing the ray id (the "ray" of the response page, the access log or rampart events)\nusage: ${usage}`, 2);
    // without --zone, look in every zone the token can read
    const zones = values['zone'] !== undefined ? [String(values['zone'])]
      : (await api<Array<{ name: string }>>('GET', '/client/v4/zones?per_page=1000')).result.map((z) => z.name);
    for (const zone of zones) {
      const env = await api<Array<Record<string, unknown>>>('GET', `/client/v4/zones/${enc(zone)}/security/events?ray=${encodeURIComponent(ray)}`);
      if (env.result.length === 0) continue;
      out(Boolean(values['json']), env, () => formatTrace(zone, env.result));
      return;
    }
    throw new CliError(`why: no security event for ray ${ray}${values['zone'] !== undefined ? ` in ${String(values['zone'])}` : ''}: the request passed every phase (only blocked, challenged or logged requests are traced), or its events are past retention`, 1);
  },
};

interface TracePhase { phase: string; decision: string; reason?: string; rule?: string }

/** The ray trace as text: the request, then every phase in order with its decision, then what was noted. */
export function formatTrace(zone: string, events: ReadonlyArray<Record<string, unknown>>): string {
  const e = events[events.length - 1]!; // oldest first for the request line; they share it
  const lines = [`ray ${String(e['ray'])}  zone ${zone}  ${String(e['time'])}`,
    `  ${String(e['method'])} ${String(e['host'])}${String(e['path'])}${e['query'] ? '?' + String(e['query']) : ''}  from ${String(e['client_ip'] ?? e['clientIp'])}  → ${String(e['status'])}`,
    `  user agent: ${String(e['user_agent'] ?? e['userAgent'] ?? '')}`];
  const details = (e['details'] ?? {}) as { trace?: { phases?: TracePhase[]; threat_score?: number; waf?: { anomaly_score: number; rules: number[] }; matched?: string[]; skipped?: string[] }; rules?: Array<{ id: number; msg: string; variable: string; data: string }> };
  const t = details.trace;
  if (t?.phases) {
    lines.push('phases:');
    for (const p of t.phases) lines.push(`  ${p.phase.padEnd(16)} ${p.decision}${p.reason ? `  ${p.reason}` : ''}${p.rule ? `  (rule ${p.rule})` : ''}`);
  }
  if (t) {
    lines.push(`threat score: ${t.threat_score ?? 0}`);
    if (t.skipped?.length) lines.push(`skipped by a rule: ${t.skipped.join(', ')}`);
    if (t.matched?.length) lines.push(`also matched: ${t.matched.join(', ')}`);
  }
  for (const ev of events) {
    lines.push(`event: ${String(ev['action'])} by ${String(ev['source'])}${ev['rule_id'] ?? ev['ruleId'] ? ` rule ${String(ev['rule_id'] ?? ev['ruleId'])}` : ''} (${String(ev['reason'])})`);
    const d = ev['details'] as typeof details | null;
    if (d?.trace?.waf) lines.push(`  WAF anomaly score ${d.trace.waf.anomaly_score}`);
    for (const r of d?.rules ?? []) lines.push(`  WAF rule ${r.id}: ${r.msg}  [${r.variable}: ${r.data.slice(0, 80)}]`);
  }
  return lines.join('\n');
}
