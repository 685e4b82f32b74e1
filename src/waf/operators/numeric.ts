/** Shared helper for @eq/@ge/@gt/@le/@lt: integers as ModSecurity reads them (leading number, else 0). */
import { withParam } from './string-ops.ts';
import type { OperatorTest } from './registry.ts';

export function toInt(s: string): number {
  const n = parseInt(s.trim(), 10);
  return Number.isNaN(n) ? 0 : n;
}

export function numeric(param: string, cmp: (a: number, b: number) => boolean): OperatorTest {
  return withParam(param, (i, v) => cmp(toInt(i), toInt(v)));
}
