/** `rampart legal ...`, `rampart audit export|verify`, `rampart transparency report`: governance commands. */
import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { basename } from 'node:path';
import { api, apiBase, CliError } from '../client.ts';
import { enc, out, parse } from '../args.ts';
import { verifyChain } from '../../control/services/audit.ts';

const LEGAL_USAGE = 'rampart legal add ZONE --court "..." --case "..." --date YYYY-MM-DD --jurisdiction DE[,FR] --document FILE [--paths /a,/b] [--hostnames h1,h2] [--geo] [--expires YYYY-MM-DD] | list [--zone ZONE] | show ID | lift ID --reason "..."';

function orderLine(o: Record<string, unknown>): string {
  const scope = [...((o['hostnames'] as string[] | undefined) ?? []), ...((o['paths'] as string[] | undefined) ?? [])].join(',') || 'whole zone';
  const state = o['status'] === 'lifted' ? 'lifted' : o['in_force'] === false ? 'expired' : 'in force';
  return `${String(o['id'])}\t${String(o['zone'])}\t${state}\t${String(o['date'])}\t${String(o['court'])}\t${String(o['case'])}\t${(o['jurisdiction'] as string[]).join(',')}${o['geo'] ? ' (geo)' : ''}\t${scope}`;
}

function splitList(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return String(v).split(',').map((s) => s.trim()).filter(Boolean);
}

async function fetchExport(): Promise<string> {
  const token = process.env['RAMPART_ADMIN_TOKEN'];
  let res: Response;
  try {
    res = await fetch(apiBase() + '/client/v4/audit/export', { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(60_000) });
  } catch (e) {
    throw new CliError(`cannot reach the admin API at ${apiBase()} (${(e as Error).message}); is \`rampart start\` running?`);
  }
  const text = await res.text();
  if (res.status !== 200) {
    let msg = text.slice(0, 300);
    try { msg = (JSON.parse(text) as { errors: Array<{ message: string }> }).errors.map((e) => e.message).join('; '); } catch { /* raw text */ }
    throw new CliError(`audit export: ${res.status} ${msg}`);
  }
  return text;
}

const escHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small, static HTML rendering of the markdown report (headings, paragraphs, lists, tables). */
export function mdToHtml(lines: readonly string[], period: string): string {
  const out: string[] = [`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Transparency report ${escHtml(period)}</title></head><body>`];
  let list = false, table = false;
  const close = (): void => { if (list) { out.push('</ul>'); list = false; } if (table) { out.push('</table>'); table = false; } };
  for (const l of lines) {
    if (l.startsWith('## ')) { close(); out.push(`<h2>${escHtml(l.slice(3))}</h2>`); }
    else if (l.startsWith('# ')) { close(); out.push(`<h1>${escHtml(l.slice(2))}</h1>`); }
    else if (l.startsWith('- ')) { if (!list) { close(); out.push('<ul>'); list = true; } out.push(`<li>${escHtml(l.slice(2))}</li>`); }
    else if (l.startsWith('|')) {
      if (/^\|[-|]+\|$/.test(l)) continue;
      const cells = l.slice(1, -1).split('|').map((c) => escHtml(c.trim()));
      if (!table) { close(); out.push('<table>'); table = true; out.push(`<tr>${cells.map((c) => `<th>${c}</th>`).join('')}</tr>`); }
      else out.push(`<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`);
    }
    else if (l.trim() === '') close();
    else { close(); out.push(`<p>${escHtml(l)}</p>`); }
  }
  close();
  out.push('</body></html>');
  return out.join('\n') + '\n';
}

export const governanceCommands: Record<string, (args: string[]) => Promise<void>> = {
  /** `rampart review list | approve ZONE [--note] | deny ZONE --reason capacity|verification_failed|abusive_signup [--note]` */
  async review(args) {
    const [sub, ...rest] = args;
    const usage = 'rampart review list | approve ZONE [--note TEXT] | deny ZONE --reason capacity|verification_failed|abusive_signup [--note TEXT]';
    if (sub === 'list') {
      const { values } = parse(rest, {}, 'rampart review list [--json]');
      const env = await api<Array<{ name: string; review: { expected_rps: number; under_attack: boolean; capacity_cores: number; requested_on: string } }>>('GET', '/client/v4/reviews');
      out(Boolean(values['json']), env, () => env.result.length === 0 ? '(no sign-up waiting for review)' : env.result.map((z) =>
        `${z.name}  expected ${z.review.expected_rps} req/s${z.review.under_attack ? ', under attack now' : ''}  needs ${z.review.capacity_cores} edge core(s)  since ${z.review.requested_on}`).join('\n'));
      return;
    }
    if (sub === 'approve' || sub === 'deny') {
      const { values, positionals } = parse(rest, { reason: { type: 'string' }, note: { type: 'string' } }, usage);
      const zone = positionals[0];
      if (!zone) throw new CliError(`review ${sub}: missing the zone\nusage: ${usage}`, 2);
      if (sub === 'deny' && values['reason'] === undefined) throw new CliError('review deny: --reason is required: capacity, verification_failed or abusive_signup (never the content or politics of a site)', 2);
      const body = { ...(values['reason'] !== undefined ? { reason: values['reason'] } : {}), ...(values['note'] !== undefined ? { note: values['note'] } : {}) };
      const env = await api('POST', `/client/v4/reviews/${enc(zone)}/${sub}`, body);
      out(Boolean(values['json']), env, () => sub === 'approve' ? `approved the sign-up of ${zone}` : `denied the sign-up of ${zone} (${String(values['reason'])}); the zone was removed`);
      return;
    }
    throw new CliError(`review: unknown subcommand "${sub ?? ''}"\nusage: ${usage}`, 2);
  },

  async legal(args) {
    const [sub, ...rest] = args;
    if (sub === 'add') {
      const { values, positionals } = parse(rest, {
        court: { type: 'string' }, case: { type: 'string' }, date: { type: 'string' }, jurisdiction: { type: 'string' }, document: { type: 'string' },
        paths: { type: 'string' }, hostnames: { type: 'string' }, geo: { type: 'boolean' }, expires: { type: 'string' },
      }, LEGAL_USAGE);
      const zone = positionals[0];
      if (!zone) throw new CliError(`legal add: missing the zone name\nusage: ${LEGAL_USAGE}`, 2);
      for (const k of ['court', 'case', 'date', 'jurisdiction', 'document']) {
        if (values[k] === undefined || values[k] === '') throw new CliError(`legal add: missing required --${k}\nusage: ${LEGAL_USAGE}`, 2);
      }
      let bytes: Buffer;
      try { bytes = readFileSync(String(values['document'])); } catch (e) { throw new CliError(`legal add: cannot read --document ${String(values['document'])}: ${(e as Error).message}`, 2); }
      const body: Record<string, unknown> = {
        zone, court: values['court'], case: values['case'], date: values['date'], jurisdiction: splitList(values['jurisdiction']),
        document_base64: bytes.toString('base64'), document_name: basename(String(values['document'])),
      };
      const paths = splitList(values['paths']); if (paths) body['paths'] = paths;
      const hosts = splitList(values['hostnames']); if (hosts) body['hostnames'] = hosts;
      if (values['geo']) body['geo'] = true;
      if (values['expires'] !== undefined) body['expires'] = values['expires'];
      const env = await api<Record<string, unknown>>('POST', '/client/v4/legal/orders', body);
      out(Boolean(values['json']), env, () => `recorded legal order ${String(env.result['id'])} for ${zone} (document sha256 ${String((env.result['document'] as Record<string, unknown>)['sha256'])})`);
      return;
    }
    if (sub === 'list') {
      const { values } = parse(rest, { zone: { type: 'string' } }, 'rampart legal list [--zone ZONE] [--json]');
      const env = await api<Array<Record<string, unknown>>>('GET', `/client/v4/legal/orders${values['zone'] ? `?zone=${enc(String(values['zone']))}` : ''}`);
      out(Boolean(values['json']), env, () => env.result.length ? env.result.map(orderLine).join('\n') : '(no legal orders)');
      return;
    }
    if (sub === 'show') {
      const { values, positionals } = parse(rest, {}, 'rampart legal show ID [--json]');
      if (!positionals[0]) throw new CliError('legal show: missing the order id', 2);
      const env = await api<Record<string, unknown>>('GET', `/client/v4/legal/orders/${enc(positionals[0])}`);
      out(Boolean(values['json']), env, () => JSON.stringify(env.result, null, 2));
      return;
    }
    if (sub === 'contest') {
      const { values, positionals } = parse(rest, { note: { type: 'string' } }, 'rampart legal contest ID --note "appeal filed at ... on ..." [--json]');
      if (!positionals[0]) throw new CliError('legal contest: missing the order id', 2);
      if (!values['note']) throw new CliError('legal contest: missing required --note (how the order is contested)', 2);
      const env = await api<Record<string, unknown>>('POST', `/client/v4/legal/orders/${enc(positionals[0])}/contest`, { note: values['note'] });
      out(Boolean(values['json']), env, () => `recorded: order ${positionals[0]} is contested (it stays in force until lifted)`);
      return;
    }
    if (sub === 'lift') {
      const { values, positionals } = parse(rest, { reason: { type: 'string' } }, 'rampart legal lift ID --reason "..." [--json]');
      if (!positionals[0]) throw new CliError('legal lift: missing the order id', 2);
      if (!values['reason']) throw new CliError('legal lift: missing required --reason', 2);
      const env = await api<Record<string, unknown>>('POST', `/client/v4/legal/orders/${enc(positionals[0])}/lift`, { reason: values['reason'] });
      out(Boolean(values['json']), env, () => `lifted legal order ${positionals[0]!}`);
      return;
    }
    throw new CliError(`legal: unknown subcommand "${sub ?? ''}"\nusage: ${LEGAL_USAGE}`, 2);
  },

  async audit(args) {
    const [sub, ...rest] = args;
    const usage = 'rampart audit export > log.jsonl | audit verify [--file log.jsonl] [--public-key audit-ed25519.pub]';
    if (sub === 'export') {
      parse(rest, {}, 'rampart audit export > log.jsonl');
      process.stdout.write(await fetchExport());
      return;
    }
    if (sub === 'verify') {
      const { values } = parse(rest, { file: { type: 'string' }, 'public-key': { type: 'string' } }, 'rampart audit verify [--file log.jsonl] [--public-key audit-ed25519.pub] (without --file: the live log through the API)');
      let pub: KeyObject | undefined;
      if (values['public-key'] !== undefined) {
        try { pub = createPublicKey(readFileSync(String(values['public-key']))); } catch (e) { throw new CliError(`audit verify: cannot read the public key ${String(values['public-key'])}: ${(e as Error).message}`, 2); }
      }
      let text: string;
      if (values['file'] !== undefined) {
        try { text = readFileSync(String(values['file']), 'utf8'); } catch (e) { throw new CliError(`audit verify: cannot read ${String(values['file'])}: ${(e as Error).message}`, 2); }
      } else text = await fetchExport();
      const r = verifyChain(text, pub);
      if (values['json']) process.stdout.write(JSON.stringify(r) + '\n');
      if (!r.ok) throw new CliError(`audit verify: line ${r.line}: ${r.reason} (${r.entries} entries before it verified)`, 1);
      if (!values['json']) process.stdout.write(`ok: ${r.entries} entries, chain head ${r.head}${pub ? `, ${r.checkpoints} signed checkpoint(s) verified` : ''}\n`);
      return;
    }
    throw new CliError(`audit: unknown subcommand "${sub ?? ''}"\nusage: ${usage}`, 2);
  },

  async transparency(args) {
    const [sub, ...rest] = args;
    const usage = 'rampart transparency report [--period 2026-H2] [--format md|json|html]';
    if (sub !== 'report') throw new CliError(`transparency: unknown subcommand "${sub ?? ''}"\nusage: ${usage}`, 2);
    const { values } = parse(rest, { period: { type: 'string' }, format: { type: 'string' } }, usage);
    const fmt = values['json'] ? 'json' : String(values['format'] ?? 'md');
    if (fmt !== 'md' && fmt !== 'json' && fmt !== 'html') throw new CliError(`--format: "${fmt}" is not md, json or html`, 2);
    const env = await api<Record<string, unknown>>('GET', `/client/v4/transparency${values['period'] ? `?period=${enc(String(values['period']))}` : ''}`);
    if (fmt === 'json') { process.stdout.write(JSON.stringify(env.result, null, 2) + '\n'); return; }
    const r = env.result as { period: string; from: string; to: string; orders: { received: number; in_force: number; lifted: number; by_jurisdiction: Record<string, { received: number; in_force: number; lifted: number }>; by_authority: Record<string, { received: number; in_force: number; lifted: number }> }; zones_affected: string[]; notices: Array<Record<string, unknown>> };
    const table = (m: Record<string, { received: number; in_force: number; lifted: number }>, head: string): string[] =>
      [`| ${head} | received | in force | lifted |`, '|---|---|---|---|', ...Object.entries(m).map(([k, c]) => `| ${k} | ${c.received} | ${c.in_force} | ${c.lifted} |`)];
    const lines = [
      `# Transparency report ${r.period}`, '', `${r.from} – ${r.to}`, '',
      `Legal orders: ${r.orders.received} received, ${r.orders.in_force} in force, ${r.orders.lifted} lifted.`, '',
      '## By jurisdiction', '', ...table(r.orders.by_jurisdiction, 'jurisdiction'), '', '## By authority', '', ...table(r.orders.by_authority, 'authority'), '',
      `## Zones affected`, '', ...(r.zones_affected.length ? r.zones_affected.map((z) => `- ${z}`) : ['(none)']), '',
      '## Notices', '',
      ...(r.notices.length ? r.notices.map((n) => { const s = n['scope'] as { hostnames: string[]; paths: string[]; geo: boolean }; return `- ${String(n['date'])} ${String(n['court'])}, case ${String(n['case'])} (${(n['jurisdiction'] as string[]).join(', ')}): ${String(n['zone'])} ${[...s.hostnames, ...s.paths].join(', ') || 'whole zone'}${s.geo ? ' (geo)' : ''}, ${String(n['status'])}`; }) : ['(none)']),
    ];
    // the rest of the report: contested orders, data requests, abuse reports, suspensions, the signed audit head
    const x = env.result as { orders: { complied_with?: number; contested?: number }; data_requests?: { received: number; by_outcome: Record<string, number> }; abuse_reports?: { received: number; forwarded: number; by_category: Record<string, number> };
      suspensions?: { suspended_by_reason: Record<string, number>; removed_by_reason: Record<string, number>; suspended_now: string[] }; audit_chain_head?: { seq: number; hash: string; time: string; signature: string } | null };
    const counts = (m: Record<string, number> | undefined, head: string): string[] => Object.keys(m ?? {}).length ? [`| ${head} | count |`, '|---|---|', ...Object.entries(m ?? {}).map(([k, v]) => `| ${k} | ${v} |`)] : ['(none)'];
    lines.splice(4, 1, `Legal orders: ${r.orders.received} received, ${x.orders.complied_with ?? r.orders.received} complied with, ${x.orders.contested ?? 0} contested, ${r.orders.in_force} in force, ${r.orders.lifted} lifted.`);
    lines.push('', '## Requests for user data', '', `${x.data_requests?.received ?? 0} received.`, '', ...counts(x.data_requests?.by_outcome, 'outcome'),
      '', '## Abuse reports', '', `${x.abuse_reports?.received ?? 0} received, ${x.abuse_reports?.forwarded ?? 0} forwarded.`, '', ...counts(x.abuse_reports?.by_category, 'category'),
      '', '## Zones suspended or removed (operational reasons only)', '', ...counts(x.suspensions?.suspended_by_reason, 'suspended: reason'), '', ...counts(x.suspensions?.removed_by_reason, 'removed: reason'),
      '', '## Audit log', '', x.audit_chain_head ? `Signed head: entry ${x.audit_chain_head.seq}, SHA-256 ${x.audit_chain_head.hash}, at ${x.audit_chain_head.time}, Ed25519 signature ${x.audit_chain_head.signature}` : '(no entries)');
    process.stdout.write(fmt === 'html' ? mdToHtml(lines, r.period) : lines.join('\n') + '\n');
  },
};
