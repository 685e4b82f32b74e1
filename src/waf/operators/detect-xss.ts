import { registerOperator } from './registry.ts';
import { detectModule } from './detect-loader.ts';
/** `@detectXSS` — libinjection-style XSS detection (our own detector in src/waf/detect/). Example: `SecRule ARGS "@detectXSS" "id:941100,block"` */
registerOperator({
  name: 'detectXSS',
  doc: '@detectXSS — XSS detection; example: "@detectXSS"',
  compile() {
    return (_tx, input) => {
      const m = detectModule();
      return m ? m.detectXss(input) : false;
    };
  },
});
