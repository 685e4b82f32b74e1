import { registerOperator } from './registry.ts';
import { detectModule } from './detect-loader.ts';
/**
 * `@detectSQLi` — libinjection-style SQL injection detection (our own detector in src/waf/detect/). With `capture`,
 * TX:0 is the fingerprint. Example: `SecRule ARGS "@detectSQLi" "id:942100,capture,block"`
 */
registerOperator({
  name: 'detectSQLi',
  doc: '@detectSQLi — SQL injection fingerprint; example: "@detectSQLi"',
  compile() {
    return (tx, input, rule) => {
      const m = detectModule();
      if (!m) return false;
      const r = m.detectSqli(input);
      if (r.isSqli && rule.capture) tx.setCapture(0, r.fingerprint);
      return r.isSqli;
    };
  },
});
