/**
 * Error and block pages: HTML for browsers, JSON when the client prefers it. They carry the ray id and the
 * stable code, never internal detail.
 */
import type { ErrorDef, FailedSide } from './codes.ts';

export function wantsJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const a = accept.toLowerCase();
  if (a.includes('text/html')) return false;
  return a.includes('application/json') || a.includes('+json');
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function mark(side: FailedSide, who: FailedSide): string {
  return side === who ? '<span class="bad">&#10008; error</span>' : '<span class="ok">&#10004; working</span>';
}

export interface PageInput {
  readonly def: Pick<ErrorDef, 'code' | 'number' | 'status' | 'side' | 'title' | 'text'>;
  readonly ray: string;
  readonly host?: string;
}

export function errorHtml({ def, ray, host }: PageInput): string {
  const h = host ? esc(host) : 'this site';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${def.status} ${esc(def.title)} | ${h}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#222;background:#f6f7f9}main{max-width:46rem;margin:3rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin:.2rem 0}.code{color:#666}.chain{display:flex;gap:1rem;margin:2rem 0;flex-wrap:wrap}.hop{flex:1;min-width:10rem;background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem;text-align:center}
.ok{color:#1a7f37;font-weight:600}.bad{color:#c62828;font-weight:600}footer{color:#666;font-size:.85rem;margin-top:2rem}</style></head>
<body><main><p class="code">Error ${def.number} &middot; ${def.status}</p><h1>${esc(def.title)}</h1><p>${esc(def.text)}</p>
<div class="chain"><div class="hop"><div>You</div><div>Browser</div>${mark(def.side, 'browser')}</div>
<div class="hop"><div>Rampart</div><div>Edge</div>${mark(def.side, 'edge')}</div>
<div class="hop"><div>${h}</div><div>Origin</div>${mark(def.side, 'origin')}</div></div>
<footer>Ray ID: <code>${esc(ray)}</code> &middot; code <code>${esc(def.code)}</code></footer></main></body></html>
`;
}

export function errorJson({ def, ray }: PageInput): string {
  return JSON.stringify({ success: false, errors: [{ code: def.number, message: def.title, error: def.code }], messages: [], result: null, ray_id: ray }) + '\n';
}

export function renderError(input: PageInput, accept: string | undefined): { body: string; contentType: string } {
  return wantsJson(accept)
    ? { body: errorJson(input), contentType: 'application/json; charset=utf-8' }
    : { body: errorHtml(input), contentType: 'text/html; charset=utf-8' };
}
