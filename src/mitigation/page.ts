/**
 * The challenge page and the other bodies a challenge answers with.
 *
 * Status: 403 for a challenge at any security level (as Cloudflare's managed challenge); 503 under `under_attack`
 * (as Cloudflare's "I'm Under Attack" interstitial), so monitoring sees a site in attack mode for what it is.
 * Both are `Cache-Control: no-store` and never cached by the edge.
 *
 * The page is self-contained: inline CSS and JS (both carrying a per-response CSP nonce), no external URL, a
 * `<noscript>` explanation and, when the zone allows it, a no-JS path (a form the visitor submits after a delay).
 */
import { MAIN_JS, WORKER_FUNCTION_JS } from './page-script.ts';

export const VERIFY_PATH = '/.rampart/challenge/verify';

/** Public reasons (never the private failure detail). */
export type ChallengePublicReason = 'challenge' | 'under_attack' | 'verification_failed';

/** Stable codes of the JSON body API clients get; documented in docs/challenge.md. */
export const CHALLENGE_ERROR_CODES: Record<ChallengePublicReason, { code: number; message: string }> = {
  challenge: { code: 1020, message: 'challenge required' },
  under_attack: { code: 1021, message: 'challenge required: the site is under attack mode' },
  verification_failed: { code: 1022, message: 'challenge verification failed' },
};

export interface Rendered {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;');
}

/** JSON for a `<script type="application/json">` block: nothing in it can close the element. */
function inlineJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    'worker-src blob:',
    "connect-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function pageHeaders(nonce: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'private, no-store, max-age=0',
    'content-security-policy': contentSecurityPolicy(nonce),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'x-frame-options': 'DENY',
  };
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f4f5f7}
main{max-width:36rem;margin:12vh auto 0;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 2px 12px #0001}
h1{font-size:1.5rem;margin:0 0 .25rem}
.site{color:#5a6170;margin:0 0 1.5rem;word-break:break-all}
.row{display:flex;align-items:center;gap:.75rem}
.spinner{width:24px;height:24px;border:3px solid #d9dce3;border-top-color:#f48120;border-radius:50%;animation:spin .9s linear infinite;flex:none}
@keyframes spin{to{transform:rotate(360deg)}}
.track{height:6px;background:#e8eaef;border-radius:3px;margin-top:1rem;overflow:hidden}
#rampart-bar{height:100%;width:0;background:#f48120;transition:width .2s}
.foot{margin-top:2rem;font-size:.8rem;color:#7a8190}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid #b9bec9;background:#fff;cursor:pointer}
`;

function shell(opts: { nonce: string; title: string; siteName: string; rayId: string; inner: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow">
<title>${escapeHtml(opts.title)}</title>
<style nonce="${opts.nonce}">${CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(opts.title)}</h1>
<p class="site">${escapeHtml(opts.siteName)}</p>
${opts.inner}
<p class="foot">Ray ID: <code>${escapeHtml(opts.rayId)}</code> &middot; Protected by Rampart</p>
</main>
</body>
</html>
`;
}

export interface ChallengePageOptions {
  token: string;
  bits: number;
  rayId: string;
  siteName: string;
  /** Per-response CSP nonce (base64/base64url, ≥ 128 bits of randomness). */
  cspNonce: string;
  underAttack: boolean;
  /** Offer the no-JS path: a form the visitor may submit after this many milliseconds. Omit to disable. */
  noJsDelayMs?: number;
  /**
   * Operator template (per zone): a full HTML document with the placeholders `{{ray}}` (required), `{{site}}`,
   * `{{nonce}}` (for the template's own `<style>`/`<script>`) and the challenge: `{{challenge_form}}` (markup,
   * noscript path, forms) and `{{challenge_script}}` (config and solver), or `{{challenge}}` for both. A template
   * missing them is refused when saved (config/schema.ts); here the built-in page is used instead.
   */
  template?: string;
}

/** The challenge in two parts: the visible markup and forms (`form`), and the scripts that solve it (`script`). */
function challengeParts(o: ChallengePageOptions): { form: string; script: string } {
  const token = escapeHtml(o.token);
  const delaySec = o.noJsDelayMs === undefined ? undefined : Math.ceil(o.noJsDelayMs / 1000);
  const noJsForm = delaySec === undefined
    ? '<p>Please enable JavaScript in your browser and reload this page.</p>'
    : `<p>Without JavaScript you can still continue: wait ${delaySec} seconds, then press the button.</p>
<form method="POST" action="${VERIFY_PATH}"><input type="hidden" name="token" value="${token}"><input type="hidden" name="nojs" value="1"><button type="submit">Continue to the site</button></form>`;
  const form = `<div id="rampart-js" hidden>
<div class="row"><div class="spinner" aria-hidden="true"></div><p id="rampart-status" role="status" aria-live="polite">Checking your browser\u2026</p></div>
<div class="track" aria-hidden="true"><div id="rampart-bar"></div></div>
<p>This takes a few seconds and happens only once. You will be taken to the site automatically.</p>
</div>
<noscript>
<p><strong>This site is protecting itself from automated traffic.</strong> Before letting you in, it asks your browser to
solve a small computation with JavaScript, which is turned off or unavailable in your browser.</p>
${noJsForm}
</noscript>
<form id="rampart-form" method="POST" action="${VERIFY_PATH}" hidden>
<input type="hidden" name="token" value="${token}">
<input type="hidden" name="nonce" value="">
</form>`;
  const script = `<script type="application/json" id="rampart-config">${inlineJson({ challenge: o.token, bits: o.bits, batch: 256 })}</script>
<script nonce="${o.cspNonce}">
${WORKER_FUNCTION_JS}
${MAIN_JS}
</script>`;
  return { form, script };
}

// --- issue 6: operator templates (docs/bots-and-origin.md). Placeholders are replaced in one pass, so text a
// value brings in (a site name with "{{ray}}" in it) is never expanded again.
const PLACEHOLDER_RE = /\{\{(site|ray|nonce|challenge|challenge_form|challenge_script|status|reason)\}\}/g;

function fillTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER_RE, (_m, k: string) => vars[k] ?? '');
}

/** Whether a challenge template carries the challenge (else the built-in page is served). */
export function usableChallengeTemplate(t: string | undefined): t is string {
  return t !== undefined && t.includes('{{ray}}')
    && (t.includes('{{challenge}}') || (t.includes('{{challenge_form}}') && t.includes('{{challenge_script}}')));
}

/**
 * The zone's block page (403/429 from a rule, the WAF, a rate limit), from its template: `{{ray}}` (required),
 * `{{site}}`, `{{status}}`, `{{reason}}` (the stable reason code, e.g. `waf.block`) and `{{nonce}}` for the
 * template's own `<style nonce>`/`<script nonce>`; served with the same CSP as the challenge page.
 */
export function renderBlockPage(o: { template: string; status: number; reason: string; rayId: string; siteName: string; cspNonce: string }): Rendered {
  const body = fillTemplate(o.template, {
    site: escapeHtml(o.siteName), ray: escapeHtml(o.rayId), nonce: o.cspNonce, status: String(o.status), reason: escapeHtml(o.reason),
  });
  return { status: o.status, headers: pageHeaders(o.cspNonce), body };
}
// ---

/** The proof-of-work challenge page: status 403 (503 under attack), headers with the nonce'd CSP, and HTML. */
export function renderChallengePage(o: ChallengePageOptions): Rendered {
  const status = o.underAttack ? 503 : 403;
  const headers = pageHeaders(o.cspNonce);
  const { form, script } = challengeParts(o);
  if (usableChallengeTemplate(o.template)) {
    const body = fillTemplate(o.template, {
      site: escapeHtml(o.siteName), ray: escapeHtml(o.rayId), nonce: o.cspNonce, challenge: `${form}\n${script}`,
      challenge_form: form, challenge_script: script,
    });
    return { status, headers, body };
  }
  const title = o.underAttack ? 'Checking your browser before you enter' : 'Just a moment\u2026';
  return { status, headers, body: shell({ nonce: o.cspNonce, title, siteName: o.siteName, rayId: o.rayId, inner: `${form}\n${script}` }) };
}

/** A short HTML page (verification failed, resubmit needed): no script at all. */
export function renderMessagePage(o: {
  status: number; title: string; message: string; rayId: string; siteName: string; cspNonce: string;
  link?: { href: string; text: string };
}): Rendered {
  const link = o.link === undefined ? '' : `<p><a href="${escapeHtml(o.link.href)}">${escapeHtml(o.link.text)}</a></p>`;
  const inner = `<p>${escapeHtml(o.message)}</p>\n${link}`;
  return {
    status: o.status,
    headers: pageHeaders(o.cspNonce),
    body: shell({ nonce: o.cspNonce, title: o.title, siteName: o.siteName, rayId: o.rayId, inner }),
  };
}

/** The JSON body for API clients: `{"success":false,"errors":[{"code":1020,"message":"challenge required"}],"ray_id":"..."}`. */
export function jsonChallengeBody(ray: string, reason: ChallengePublicReason = 'challenge'): string {
  const { code, message } = CHALLENGE_ERROR_CODES[reason];
  return JSON.stringify({ success: false, errors: [{ code, message }], messages: [], result: null, ray_id: ray });
}

/** Whether the client wants JSON rather than a page: it accepts application/json (or +json) and not text/html. */
export function wantsJson(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const a = accept.toLowerCase();
  return /application\/([\w.+-]*\+)?json/.test(a) && !a.includes('text/html');
}
