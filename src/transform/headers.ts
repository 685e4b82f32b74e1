/**
 * Response headers as node:http's flat [name, value, name, value, ...] array (names in any case, repeats kept):
 * the shape the origin phase builds and writes. The transforms read and rewrite it in place.
 */

/** All values of `name` (case-insensitive), joined with ", " as RFC 9110 allows for list fields; undefined if absent. */
export function getField(flat: readonly string[], name: string): string | undefined {
  let out: string | undefined;
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i]!.length === name.length && flat[i]!.toLowerCase() === name) out = out === undefined ? flat[i + 1]! : `${out}, ${flat[i + 1]!}`;
  }
  return out;
}

/** Every value of `name` as sent (not joined). */
export function getFields(flat: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) if (flat[i]!.length === name.length && flat[i]!.toLowerCase() === name) out.push(flat[i + 1]!);
  return out;
}

/** Remove every `name` field. */
export function removeField(flat: string[], name: string): void {
  for (let i = flat.length - 2; i >= 0; i -= 2) if (flat[i]!.length === name.length && flat[i]!.toLowerCase() === name) flat.splice(i, 2);
}

/** Replace every `name` field by one with `value`. */
export function setField(flat: string[], name: string, value: string): void {
  removeField(flat, name);
  flat.push(name, value);
}

/** Comma-separated list members, trimmed, lower-cased, empty ones dropped. */
export function listTokens(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const p of value.split(',')) { const t = p.trim().toLowerCase(); if (t !== '') out.push(t); }
  return out;
}

/** Add `token` to the list field `name` (Vary) unless it (or `*`) is already there. */
export function addListToken(flat: string[], name: string, token: string): void {
  const have = listTokens(getField(flat, name));
  if (have.includes(token.toLowerCase()) || have.includes('*')) return;
  if (have.length === 0) { removeField(flat, name); flat.push(name, token); return; }
  setField(flat, name, `${have.join(', ')}, ${token}`);
}

/** A strong ETag becomes weak (`"x"` → `W/"x"`): the transformed bytes are not the origin's bytes. */
export function weakenEtag(flat: string[]): void {
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i]!.toLowerCase() !== 'etag') continue;
    const v = flat[i + 1]!.trim();
    if (!v.startsWith('W/')) flat[i + 1] = `W/${v}`;
  }
}

/** The media type of a Content-Type value, lower-cased, without parameters ('' when absent). */
export function mediaType(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** A parameter of a Content-Type value (`charset`), lower-cased, quotes removed. */
export function mediaParam(contentType: string | undefined, param: string): string | undefined {
  if (contentType === undefined) return undefined;
  for (const p of contentType.split(';').slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    if (p.slice(0, eq).trim().toLowerCase() !== param) continue;
    return p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return undefined;
}

/** Whether Cache-Control carries `no-transform` (RFC 9111 §5.2.2.6): then no transform may touch the body. */
export function noTransform(flat: readonly string[]): boolean {
  for (const t of listTokens(getField(flat, 'cache-control'))) if (t === 'no-transform') return true;
  return false;
}
