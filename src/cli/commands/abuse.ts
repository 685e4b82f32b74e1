/** `rampart abuse list|show|status|forward`: the abuse reports taken by the edge's form (operator). */
import { api, CliError } from '../client.ts';
import { enc, out, parse } from '../args.ts';

const USAGE = 'rampart abuse list [--zone ZONE] [--status received|forwarded|closed] [--since ISO] [--limit N] | show TICKET | status TICKET received|forwarded|closed [--note "..."] | forward TICKET';

interface ReportView {
  ticket: string; zone: string; host: string; url: string | null; category: string; description: string; status: string; created: number; updated: number;
  reporterName: string | null; reporterEmail: string | null; shareContact: boolean; forwardedAt: number | null;
  forwards: Array<{ role: string; to: string | null; time: number; ok: boolean; detail: string }>;
  history: Array<{ time: number; status: string; note: string }>;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const oneLine = (s: string, n: number): string => { const t = s.replace(/\s+/g, ' ').trim(); return t.length > n ? t.slice(0, n - 1) + '…' : t; };

function line(r: ReportView): string {
  return `${r.ticket}\t${iso(r.created)}\t${r.status}\t${r.category}\t${r.zone}\t${r.url ?? r.host}\t${oneLine(r.description, 60)}`;
}

export function showReport(r: ReportView): string {
  return [
    `ticket      ${r.ticket}`, `status      ${r.status}`, `received    ${iso(r.created)}`, `updated     ${iso(r.updated)}`,
    `zone        ${r.zone}`, `host        ${r.host}`, `url         ${r.url ?? '(the whole site)'}`, `category    ${r.category}`,
    `reporter    ${[r.reporterName, r.reporterEmail ? `<${r.reporterEmail}>` : null].filter(Boolean).join(' ') || '(anonymous)'}${r.shareContact ? ' (shared with owner and host)' : ' (not shared)'}`,
    '', 'description:', ...r.description.split('\n').map((l) => `  ${l}`), '',
    'forwarded:', ...(r.forwards.length ? r.forwards.map((f) => `  ${iso(f.time)}  ${f.role.padEnd(7)} ${f.to ?? '-'}  ${f.ok ? 'ok' : 'FAILED'}  ${f.detail}`) : ['  (not yet)']),
    '', 'history:', ...r.history.map((h) => `  ${iso(h.time)}  ${h.status}${h.note ? `  ${h.note}` : ''}`),
  ].join('\n');
}

export const abuseCommands: Record<string, (args: string[]) => Promise<void>> = {
  async abuse(args) {
    const [sub, ...rest] = args;
    if (sub === 'list') {
      const { values } = parse(rest, { zone: { type: 'string' }, status: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' } }, 'rampart abuse list [--zone ZONE] [--status S] [--since ISO] [--limit N] [--json]');
      const q = new URLSearchParams();
      for (const k of ['zone', 'status', 'since', 'limit']) if (values[k] !== undefined) q.set(k, String(values[k]));
      const env = await api<ReportView[]>('GET', `/client/v4/abuse/reports${q.size ? `?${q.toString()}` : ''}`);
      out(Boolean(values['json']), env, () => env.result.length ? env.result.map(line).join('\n') : '(no abuse reports)');
      return;
    }
    if (sub === 'show') {
      const { values, positionals } = parse(rest, {}, 'rampart abuse show TICKET [--json]');
      if (!positionals[0]) throw new CliError(`abuse show: missing the ticket\nusage: ${USAGE}`, 2);
      const env = await api<ReportView>('GET', `/client/v4/abuse/reports/${enc(positionals[0])}`);
      out(Boolean(values['json']), env, () => showReport(env.result));
      return;
    }
    if (sub === 'status') {
      const { values, positionals } = parse(rest, { note: { type: 'string' } }, 'rampart abuse status TICKET received|forwarded|closed [--note "..."] [--json]');
      const [ticket, status] = positionals;
      if (!ticket || !status) throw new CliError(`abuse status: want a ticket and a status\nusage: ${USAGE}`, 2);
      const env = await api<ReportView>('POST', `/client/v4/abuse/reports/${enc(ticket)}/status`, { status, ...(values['note'] !== undefined ? { note: String(values['note']) } : {}) });
      out(Boolean(values['json']), env, () => `${env.result.ticket} is now ${env.result.status}`);
      return;
    }
    if (sub === 'forward') {
      const { values, positionals } = parse(rest, {}, 'rampart abuse forward TICKET [--json]');
      if (!positionals[0]) throw new CliError(`abuse forward: missing the ticket\nusage: ${USAGE}`, 2);
      const env = await api<ReportView>('POST', `/client/v4/abuse/reports/${enc(positionals[0])}/forward`);
      out(Boolean(values['json']), env, () => showReport(env.result));
      return;
    }
    throw new CliError(`abuse: unknown subcommand "${sub ?? ''}"\nusage: ${USAGE}`, 2);
  },
};
