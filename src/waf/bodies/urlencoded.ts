/** application/x-www-form-urlencoded (and query strings): `a=1&b=%3C` → [['a','1'],['b','<']], byte strings. */
import { urlDecode } from '../transformations/url-decode.ts';

export function parseUrlEncoded(s: string, limit = Infinity): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (s === '') return out;
  for (const part of s.split('&')) {
    if (part === '') continue;
    if (out.length >= limit) break;
    const eq = part.indexOf('=');
    if (eq < 0) out.push([urlDecode(part), '']);
    else out.push([urlDecode(part.slice(0, eq)), urlDecode(part.slice(eq + 1))]);
  }
  return out;
}
