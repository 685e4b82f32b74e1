import { compileRuleRegex } from './rx.ts';
import { registerOperator } from './registry.ts';
/** Luhn checksum over the digits of `s`. */
export function luhnValid(s: string): boolean {
  const digits = s.replace(/\D/g, '');
  if (digits.length < 12 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return sum % 10 === 0;
}
/** `@verifyCC REGEX` — a REGEX match that also passes the Luhn check (credit card numbers). Example: `"@verifyCC \d{13,16}"` */
registerOperator({
  name: 'verifyCC',
  doc: '@verifyCC REGEX — card number (regex + Luhn); example: "@verifyCC (?:\\d[ -]?){13,16}"',
  compile(param) {
    const re = compileRuleRegex(param, 'g');
    return (tx, input, rule) => {
      for (let m = re.exec(input); m; m = re.exec(input)) {
        if (luhnValid(m[0])) { if (rule.capture) tx.setCapture(0, m[0]); return true; }
        if (m[0] === '') break;
      }
      return false;
    };
  },
});
