/**
 * The browser side of email obfuscation: the decoder script (served by the edge at DECODER_PATH, external so that
 * a CSP allowing 'self' or carrying a nonce lets it run; no eval, no inline handlers) and the page behind
 * PROTECTION_PATH (where an obfuscated mailto: link points when the script did not run).
 */
import { DECODER_PATH, EMAIL_ATTR, PROTECTION_PATH } from './email-obfuscate.ts';

/** The decoder (about 1 KiB). Replaces every [data-rampart-email] element by its address as text, and
 *  restores `mailto:` on links to PROTECTION_PATH#HEX; on PROTECTION_PATH itself it shows the address as a link. */
export const DECODER_SCRIPT = `(function () {
  'use strict';
  var P = '${PROTECTION_PATH}#';
  function dec(h) {
    var k = parseInt(h.slice(0, 2), 16), s = '', i, c;
    if (isNaN(k)) return '';
    for (i = 2; i + 1 < h.length; i += 2) { c = parseInt(h.slice(i, i + 2), 16) ^ k; s += '%' + (c < 16 ? '0' : '') + c.toString(16); }
    try { return decodeURIComponent(s); } catch (e) { return unescape(s); }
  }
  function run() {
    var n = document.querySelectorAll('[${EMAIL_ATTR}]'), a, i, e, h;
    for (i = 0; i < n.length; i++) { e = n[i]; if (e.parentNode) e.parentNode.replaceChild(document.createTextNode(dec(e.getAttribute('${EMAIL_ATTR}') || '')), e); }
    a = document.querySelectorAll('a[href*="' + P + '"], area[href*="' + P + '"]');
    for (i = 0; i < a.length; i++) { h = a[i].getAttribute('href') || ''; a[i].setAttribute('href', 'mailto:' + dec(h.slice(h.indexOf('#') + 1))); }
    e = document.getElementById('rampart-email');
    if (e && location.pathname === '${PROTECTION_PATH}' && location.hash.length > 1) {
      h = dec(location.hash.slice(1)); a = document.createElement('a');
      a.setAttribute('href', 'mailto:' + h); a.textContent = h.split('?')[0]; e.textContent = ''; e.appendChild(a);
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run); else run();
})();
`;

/** The page at PROTECTION_PATH: explains, and shows the address when scripts run. */
export const PROTECTION_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>Email protection</title>
<script src="${DECODER_PATH}" defer></script></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>Email address protected</h1>
<p id="rampart-email">This site protects email addresses from spam harvesters. Enable JavaScript to see the address.</p>
</body></html>
`;
