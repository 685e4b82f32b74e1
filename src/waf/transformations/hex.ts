/** Small byte helpers shared by transformations. */
export function isHex(c: string | undefined): boolean {
  if (c === undefined) return false;
  const x = c.charCodeAt(0);
  return (x >= 48 && x <= 57) || (x >= 65 && x <= 70) || (x >= 97 && x <= 102);
}

export function hexVal(c: string): number {
  const x = c.charCodeAt(0);
  if (x <= 57) return x - 48;
  if (x <= 70) return x - 55;
  return x - 87;
}

/** Low byte of a %uHHHH / \uHHHH code, mapping full-width ASCII (U+FF01-U+FF5E) to ASCII as ModSecurity does. */
export function unicodeToByte(code: number): string {
  const hi = code >> 8;
  let lo = code & 0xff;
  if (hi === 0xff && lo >= 0x01 && lo <= 0x5e) lo += 0x20;
  return String.fromCharCode(lo);
}

export function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}
