/** Argument rules every KeyValueStore adapter applies the same way (the contract suite checks them). */

/** Throws a RangeError unless `ttlMs` is undefined or a positive finite number. */
export function checkTtl(ttlMs: number | undefined): void {
  if (ttlMs === undefined) return;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs must be a positive finite number, got ${String(ttlMs)}`);
}

/** The integer held in `value`, or a TypeError when it is not a decimal integer (as Redis INCR refuses). */
export function parseCounter(key: string, value: string): number {
  if (!/^-?(?:0|[1-9]\d{0,15})$/.test(value)) throw new TypeError(`incr: value of ${key} is not an integer`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new TypeError(`incr: value of ${key} is not a safe integer`);
  return n;
}
