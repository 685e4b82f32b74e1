import { AhoCorasick } from './aho-corasick.ts';
import { registerOperator } from './registry.ts';

/** Build a case-insensitive phrase matcher; with `capture`, TX:0 is the phrase found. */
export function phraseTest(phrases: string[]): (tx: import('../engine/transaction.ts').Transaction, input: string, rule: import('../engine/rule.ts').Rule) => boolean {
  const ac = new AhoCorasick(phrases.map((p) => Buffer.from(p, 'utf8').toString('latin1')));
  return (tx, input, rule) => {
    const f = ac.find(input);
    if (f === undefined) return false;
    if (rule.capture) tx.setCapture(0, f);
    return true;
  };
}

/**
 * `@pm PHRASE1 PHRASE2 ...` — case-insensitive match of any of the space-separated phrases (Aho-Corasick).
 * Example: `SecRule REQUEST_HEADERS:User-Agent "@pm nikto sqlmap" "id:2,deny"`
 */
registerOperator({
  name: 'pm',
  doc: '@pm PHRASES — any phrase, case-insensitive; example: "@pm nikto sqlmap"',
  compile(param) {
    return phraseTest(param.split(/\s+/).filter((s) => s !== ''));
  },
});
