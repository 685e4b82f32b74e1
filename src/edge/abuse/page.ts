/**
 * The abuse form's HTML: one small stylesheet (allowed by its hash in a strict CSP: no script, no other source),
 * labelled fields, an error summary that links to each bad field, no JavaScript. Also the ticket and status pages.
 */
import { createHash } from 'node:crypto';
import type { AbuseFieldError, AbuseTicketView } from './types.ts';

export const CATEGORIES: ReadonlyArray<readonly [value: string, label: string]> = [
  ['phishing', 'Phishing'], ['malware', 'Malware'], ['copyright', 'Copyright infringement'], ['harassment', 'Harassment'],
  ['violent_threat', 'Violent threats'], ['csam', 'Child sexual abuse material'], ['other', 'Other'],
];

const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#111}' +
  'label{display:block;font-weight:600;margin-top:1rem}input[type=text],input[type=email],input[type=url],select,textarea{width:100%;box-sizing:border-box;font:inherit;padding:.4rem}' +
  'textarea{min-height:10rem}.hint{color:#444;font-size:.9rem;margin:.2rem 0}.err{color:#a00;font-weight:600}.box{border:2px solid #a00;padding:.5rem 1rem}' +
  '.ok{border:2px solid #060;padding:.5rem 1rem}button{font:inherit;margin-top:1rem;padding:.5rem 1rem}:focus{outline:3px solid #15c;outline-offset:2px}' +
  'input[type=checkbox]{width:1.2rem;height:1.2rem;vertical-align:middle}.check{font-weight:400}code{font-size:1.1rem}';

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** The Content-Security-Policy of every abuse page. */
export const CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main>
${body}
</main></body></html>\n`;
}

export interface FormState {
  readonly values: Readonly<Record<string, string | boolean>>;
  readonly errors: readonly AbuseFieldError[];
}

/** The report form, posting to `action`; `values` prefill it (the reported host, or what was sent back with errors). */
export function formPage(action: string, statusAction: string, state: FormState): string {
  const v = (k: string): string => { const x = state.values[k]; return typeof x === 'string' ? esc(x) : ''; };
  const errOf = (k: string): AbuseFieldError | undefined => state.errors.find((e) => e.field === k);
  const attrs = (k: string): string => (errOf(k) ? ` aria-invalid="true" aria-describedby="${k}-error"` : '');
  const errLine = (k: string): string => { const e = errOf(k); return e ? `<p class="err" id="${k}-error">${esc(e.message)}</p>` : ''; };
  const summary = state.errors.length
    ? `<div class="box" role="alert" tabindex="-1" id="errors"><h2>Please correct ${state.errors.length === 1 ? 'this problem' : 'these problems'}</h2><ul>${state.errors.map((e) => `<li><a href="#${esc(e.field)}">${esc(e.message)}</a></li>`).join('')}</ul></div>`
    : '';
  const cat = typeof state.values['category'] === 'string' ? state.values['category'] : '';
  const shared = state.values['share_contact'] === true || state.values['share_contact'] === 'on';
  return page('Report abuse', `<h1>Report abuse</h1>
<p>Use this form to report a site protected by this network. Your report is recorded and forwarded to the site's owner and
to its hosting provider. It does not by itself change how the site is served. You get a ticket number to follow its status.</p>
${summary}
<form method="post" action="${esc(action)}" accept-charset="utf-8">
<label for="host">Site (hostname) <span class="hint">(required unless you give a URL)</span></label>
<input type="text" id="host" name="host" value="${v('host')}" autocomplete="off" spellcheck="false" maxlength="253"${attrs('host')}>${errLine('host')}
<label for="url">Address (URL) of the content</label>
<input type="url" id="url" name="url" value="${v('url')}" maxlength="2048" placeholder="https://"${attrs('url')}>${errLine('url')}
<label for="category">Kind of abuse (required)</label>
<select id="category" name="category" required${attrs('category')}><option value="">Choose…</option>${CATEGORIES.map(([val, label]) => `<option value="${val}"${cat === val ? ' selected' : ''}>${esc(label)}</option>`).join('')}</select>${errLine('category')}
<label for="description">What is wrong, and where (required, at most 5,000 characters)</label>
<textarea id="description" name="description" required maxlength="5000"${attrs('description')}>${v('description')}</textarea>${errLine('description')}
<label for="reporter_name">Your name (optional)</label>
<input type="text" id="reporter_name" name="reporter_name" value="${v('reporter_name')}" autocomplete="name" maxlength="200"${attrs('reporter_name')}>${errLine('reporter_name')}
<label for="reporter_email">Your email (optional; required for copyright reports)</label>
<input type="email" id="reporter_email" name="reporter_email" value="${v('reporter_email')}" autocomplete="email" maxlength="254"${attrs('reporter_email')}>${errLine('reporter_email')}
<label class="check" for="share_contact"><input type="checkbox" id="share_contact" name="share_contact"${shared ? ' checked' : ''}> Pass my name and email on to the site's owner and host
(copyright reports are always passed on with the sender's contact details)</label>
<button type="submit">Send report</button>
</form>
<h2>Follow a report</h2>
<form method="get" action="${esc(statusAction)}">
<label for="ticket">Ticket number</label>
<input type="text" id="ticket" name="ticket" placeholder="AR-…" autocomplete="off" spellcheck="false" maxlength="20">
<button type="submit">Show status</button>
</form>`);
}

export function createdPage(ticket: string, statusUrl: string): string {
  return page(`Report received: ${ticket}`, `<h1>Report received</h1>
<div class="ok" role="status"><p>Your ticket number is <strong><code>${esc(ticket)}</code></strong>. Keep it: it is the only way to follow this report.</p></div>
<p>Status: <a href="${esc(statusUrl)}">${esc(statusUrl)}</a></p>`);
}

const STATUS_TEXT: Readonly<Record<string, string>> = {
  received: 'Received: recorded, not yet forwarded.', forwarded: 'Forwarded to the site\'s owner and/or hosting provider.', closed: 'Closed.',
};

export function statusPage(v: AbuseTicketView): string {
  return page(`Report ${v.ticket}`, `<h1>Report <code>${esc(v.ticket)}</code></h1>
<dl><dt>Status</dt><dd>${esc(STATUS_TEXT[v.status] ?? v.status)}</dd><dt>Received</dt><dd><time datetime="${esc(v.received)}">${esc(v.received)}</time></dd>
<dt>Last change</dt><dd><time datetime="${esc(v.updated)}">${esc(v.updated)}</time></dd>${v.forwarded ? `<dt>Forwarded</dt><dd><time datetime="${esc(v.forwarded)}">${esc(v.forwarded)}</time></dd>` : ''}</dl>
<h2>History</h2><ol>${v.history.map((h) => `<li>${esc(h.status)}: <time datetime="${esc(h.time)}">${esc(h.time)}</time></li>`).join('')}</ol>`);
}

export function messagePage(title: string, text: string): string {
  return page(title, `<h1>${esc(title)}</h1><p>${esc(text)}</p>`);
}
