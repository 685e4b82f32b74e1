/**
 * The public transparency page: the current period's report rendered as a small static HTML page (no script), stored
 * as a global config document (kind 'transparency_page') so every edge serves it from its snapshot at
 * /.rampart/transparency (and /transparency on hostnames that are no zone's). Refreshed by the control plane.
 */
import type { ConfigStore } from '../../state/ports.ts';
import { TRANSPARENCY_PAGE_KIND } from '../../config/legal.ts';
import type { TransparencyReport } from './legal.ts';

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const table = (title: string, rows: Record<string, number>, head: [string, string]): string => {
  const entries = Object.entries(rows);
  return `<h3>${esc(title)}</h3>` + (entries.length === 0 ? '<p>None.</p>'
    : `<table><thead><tr><th scope="col">${esc(head[0])}</th><th scope="col">${esc(head[1])}</th></tr></thead><tbody>${entries.sort().map(([k, v]) => `<tr><td>${esc(k)}</td><td>${v}</td></tr>`).join('')}</tbody></table>`);
};

export function renderTransparencyPage(r: TransparencyReport & { audit_chain_head?: unknown }, operator: string): string {
  const o = r.orders;
  const byJ = Object.fromEntries(Object.entries(o.by_jurisdiction).map(([k, v]) => [k, v.received]));
  const byA = Object.fromEntries(Object.entries(o.by_authority).map(([k, v]) => [k, v.received]));
  const head = r.audit_chain_head as { seq?: number; hash?: string; time?: string; signature?: string } | null | undefined;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Transparency report ${esc(r.period)} — ${esc(operator)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #888;padding:.25rem .6rem;text-align:left}code{word-break:break-all}</style></head><body>
<h1>Transparency report</h1>
<p>${esc(operator)}, period ${esc(r.period)} (${esc(r.from.slice(0, 10))} to ${esc(r.to.slice(0, 10))}). Sites are never refused or taken down for their content or politics; content is withheld only on a recorded legal order, shown below.</p>
<h2>Legal orders</h2>
<p>Received: ${o.received}. Complied with: ${o.complied_with}. Contested: ${o.contested}. In force: ${o.in_force}. Lifted: ${o.lifted}.</p>
${table('By jurisdiction', byJ, ['Jurisdiction', 'Orders received'])}
${table('By authority', byA, ['Authority', 'Orders received'])}
<h3>Public notices</h3>
${r.notices.length === 0 ? '<p>None.</p>' : `<table><thead><tr><th scope="col">Authority</th><th scope="col">Case</th><th scope="col">Date</th><th scope="col">Site</th><th scope="col">Status</th></tr></thead><tbody>${r.notices.map((n) => `<tr><td>${esc(n.court)}</td><td>${esc(n.case)}</td><td>${esc(n.date)}</td><td>${esc(n.zone)}</td><td>${esc(n.in_force ? 'in force' : n.status)}</td></tr>`).join('')}</tbody></table>`}
<h2>Requests for user data</h2>
<p>Received: ${r.data_requests?.received ?? 0}.</p>
${table('By outcome', r.data_requests?.by_outcome ?? {}, ['Outcome', 'Requests'])}
<h2>Abuse reports</h2>
<p>Received: ${r.abuse_reports?.received ?? 0}. Forwarded to the site's owner or host: ${r.abuse_reports?.forwarded ?? 0}. Abuse reports never change how a site is served.</p>
${table('By category', (r.abuse_reports?.by_category ?? {}) as Record<string, number>, ['Category', 'Reports'])}
<h2>Sites suspended or removed</h2>
<p>Only for these reasons: ${esc(Object.values(r.suspensions?.reasons ?? {}).join('; '))}.</p>
${table('Suspended, by reason', r.suspensions?.suspended_by_reason ?? {}, ['Reason', 'Sites'])}
${table('Removed, by reason', r.suspensions?.removed_by_reason ?? {}, ['Reason', 'Sites'])}
<h2>Audit log</h2>
${head && head.hash ? `<p>Signed head of the tamper-evident audit log: entry ${esc(head.seq)}, SHA-256 <code>${esc(head.hash)}</code>, signed ${esc(head.time)} (Ed25519 signature <code>${esc(head.signature)}</code>). Anyone holding an export can check that it contains this head.</p>` : '<p>No entries yet.</p>'}
</body></html>
`;
}

/** Store the page when it changed (no config version is spent on an unchanged page). */
export async function publishTransparencyPage(store: ConfigStore, html: string, publish: () => Promise<void>): Promise<boolean> {
  const cur = await store.get(TRANSPARENCY_PAGE_KIND, 'current');
  const strip = (h: string): string => h.replace(/signed [^(]*\(Ed25519 signature <code>[^<]*<\/code>\)/, '');
  if (cur && strip((cur.data as { html: string }).html) === strip(html)) return false;
  await store.apply([{ op: 'put', doc: { kind: TRANSPARENCY_PAGE_KIND, id: 'current', zoneId: null, name: null, data: { html } } }]);
  await publish();
  return true;
}
