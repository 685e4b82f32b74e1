import { registerTransformation } from './registry.ts';
/**
 * `t:htmlEntityDecode` — `&#DDD;`, `&#xHH;`, `&quot; &amp; &lt; &gt; &nbsp;` (semicolon optional) → byte.
 * Example: `&lt;script&#x3e;` → `<script>`
 */
const named: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', nbsp: '\xa0' };
export function htmlEntityDecode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(?:#[xX]([0-9a-fA-F]+)|#([0-9]+)|(quot|amp|lt|gt|nbsp))(;?)/gi, (m, hx: string | undefined, dec: string | undefined, nm: string | undefined) => {
    if (hx !== undefined) return String.fromCharCode(Number(BigInt('0x' + hx) & 0xffn));
    if (dec !== undefined) return String.fromCharCode(Number(BigInt(dec) & 0xffn));
    if (nm !== undefined) return named[nm.toLowerCase()] ?? m;
    return m;
  });
}
registerTransformation({ name: 'htmlEntityDecode', doc: 't:htmlEntityDecode — `&lt;&#x3e;` → `<>`', fn: htmlEntityDecode });
