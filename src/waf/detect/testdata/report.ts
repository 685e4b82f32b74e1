/** Prints detection rates and false positives: node src/waf/detect/testdata/report.ts [-v] */
import { detectSqli, detectXss } from '../index.ts';
import { benignCorpus, evaluateDir, otherFamilyNegatives, sum } from './evaluate.ts';
import type { RuleStats } from './evaluate.ts';

const verbose = process.argv.includes('-v');

function show(title: string, own: number, stats: RuleStats[]): void {
  const mine = stats.find((s) => s.ruleId === own);
  const others = stats.filter((s) => s.ruleId !== own);
  if (mine) {
    console.log(`${title} ${own}: ${mine.hit}/${mine.attacks} attacks detected, ${mine.falseHits}/${mine.negatives} negatives flagged`);
    if (verbose) for (const v of [...mine.missed, ...mine.wrong]) console.log('   ', v.expect ? 'MISS' : 'FP  ', v.testId, JSON.stringify(v.values));
  }
  console.log(`${title} other rules: ${sum(others, (s) => s.hit)}/${sum(others, (s) => s.attacks)} attack tests detected; ${sum(others, (s) => s.falseHits)}/${sum(others, (s) => s.negatives)} of their negative tests flagged`);
  if (process.argv.includes('-n')) for (const s of others) for (const v of s.wrong) console.log('   NEG', s.ruleId, v.testId, JSON.stringify(v.values).slice(0, 200));
  if (verbose) {
    for (const s of others) {
      console.log(`   ${s.ruleId}: ${s.hit}/${s.attacks}`);
      if (process.argv.includes('-vv')) for (const v of s.missed) console.log('      MISS', v.testId, JSON.stringify(v.values));
    }
  }
}

const isSqli = (s: string): boolean => detectSqli(s).isSqli;
show('SQLi', 942100, evaluateDir('REQUEST-942-APPLICATION-ATTACK-SQLI', 'sqli', isSqli));
show('XSS', 941100, evaluateDir('REQUEST-941-APPLICATION-ATTACK-XSS', 'xss', detectXss));
const benign = benignCorpus();
const fpS = benign.filter(isSqli);
const fpX = benign.filter(detectXss);
console.log(`benign corpus: ${benign.length} values, SQLi false positives ${fpS.length}, XSS false positives ${fpX.length}`);
for (const v of fpS) console.log('   SQLi FP', JSON.stringify(v), detectSqli(v).fingerprint);
for (const v of fpX) console.log('   XSS FP', JSON.stringify(v));
const negS = otherFamilyNegatives('sqli', isSqli);
const negX = otherFamilyNegatives('xss', detectXss);
console.log(`CRS negative tests of other families: SQLi flagged ${negS.flagged.length}/${negS.tests}, XSS flagged ${negX.flagged.length}/${negX.tests}`);
for (const v of [...negS.flagged, ...negX.flagged]) console.log('   ', v);
