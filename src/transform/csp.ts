/**
 * Can a page load the email decoder script? The decoder is an external, same-origin script
 * (`<script src="/.rampart/email-decode.js" defer="defer">`), never inline, so a Content-Security-Policy only has to allow
 * scripts from 'self' (or carry a nonce, which the tag then repeats). When a policy would block it, the page is
 * left alone: visitors must never be left with "[email protected]" placeholders that nothing decodes.
 *
 * Only enforcing policies count (`Content-Security-Policy`, or `<meta http-equiv>`), not `-Report-Only`.
 * For each policy: the effective directive is script-src-elem, else script-src, else default-src (none → allowed).
 * `'strict-dynamic'` disables 'self' and host sources, so only a nonce helps. 'none' blocks. Allowed sources:
 * 'self', `*`, `http:`/`https:` (scheme sources), a host source naming the page's host, or a nonce.
 */

export interface CspVerdict {
  readonly ok: boolean;
  /** A nonce the decoder's script tag must carry. */
  readonly nonce?: string;
}

const ALLOW: CspVerdict = Object.freeze({ ok: true });
const DENY: CspVerdict = Object.freeze({ ok: false });

function hostOf(source: string): string {
  let s = source.toLowerCase();
  const scheme = s.indexOf('://');
  if (scheme >= 0) s = s.slice(scheme + 3);
  const slash = s.indexOf('/');
  if (slash >= 0) s = s.slice(0, slash);
  const colon = s.lastIndexOf(':');
  if (colon >= 0 && !s.endsWith(']')) s = s.slice(0, colon);
  return s;
}

/** One serialized policy (directives separated by ';'). */
export function policyAllowsDecoder(policy: string, host: string): CspVerdict {
  const directives = new Map<string, string[]>();
  for (const d of policy.split(';')) {
    const parts = d.trim().split(/[ \t\r\n]+/).filter((p) => p !== '');
    const name = parts[0]?.toLowerCase();
    if (name === undefined || directives.has(name)) continue; // the first occurrence of a directive wins
    directives.set(name, parts.slice(1));
  }
  const sources = directives.get('script-src-elem') ?? directives.get('script-src') ?? directives.get('default-src');
  if (sources === undefined) return ALLOW;
  let nonce: string | undefined;
  let self = false;
  let strictDynamic = false;
  const h = host.toLowerCase();
  for (const raw of sources) {
    const s = raw.toLowerCase();
    if (s.startsWith("'nonce-") && s.endsWith("'")) { nonce ??= raw.slice(7, -1); continue; }
    if (s === "'strict-dynamic'") { strictDynamic = true; continue; }
    if (s === "'self'" || s === '*' || s === 'http:' || s === 'https:') { self = true; continue; }
    if (!s.startsWith("'") && hostOf(s) === h) self = true;
  }
  if (self && !strictDynamic) return ALLOW;
  if (nonce !== undefined && /^[A-Za-z0-9+/=_-]+$/.test(nonce)) return { ok: true, nonce };
  return DENY;
}

/** Every enforcing policy of a response (each header value may hold several policies separated by commas). */
export function cspAllowsDecoder(policies: readonly string[], host: string): CspVerdict {
  let nonce: string | undefined;
  for (const value of policies) {
    for (const p of value.split(',')) {
      if (p.trim() === '') continue;
      const v = policyAllowsDecoder(p, host);
      if (!v.ok) return DENY;
      if (v.nonce !== undefined) {
        if (nonce !== undefined && nonce !== v.nonce) return DENY; // one tag cannot carry two nonces
        nonce = v.nonce;
      }
    }
  }
  return nonce === undefined ? ALLOW : { ok: true, nonce };
}
