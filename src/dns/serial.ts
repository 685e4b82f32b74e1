/**
 * SOA serial in the date-based YYYYMMDDnn scheme (RFC 1912 §2.2). The result is always greater than `prev` in
 * RFC 1982 serial arithmetic: today's first serial when that is higher, else prev + 1 (wrapping at 2^32).
 */
export function nextSerial(prev: number, now: number | Date): number {
  const d = typeof now === 'number' ? new Date(now) : now;
  const base = d.getUTCFullYear() * 1_000_000 + (d.getUTCMonth() + 1) * 10_000 + d.getUTCDate() * 100;
  if (base > prev && base <= 4294967295) return base;
  return (prev + 1) % 4294967296;
}

/** RFC 1982: true when serial `a` is greater than `b`. */
export function serialGreater(a: number, b: number): boolean {
  const HALF = 2147483648;
  return (a < b && b - a > HALF) || (a > b && a - b < HALF);
}
