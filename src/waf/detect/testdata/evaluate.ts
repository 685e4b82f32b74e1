/**
 * Test-only: detection rates on the CRS regression vectors and false positives on our benign corpus. Used by
 * crs.test.ts and by `node src/waf/detect/testdata/report.ts` (prints the numbers for the report).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CRS_TESTS_DIR, loadCrsDir, loadCrsFile } from './crs-vectors.ts';
import type { Chain, CrsVector } from './crs-vectors.ts';

export interface RuleStats {
  readonly ruleId: number;
  /** Tests that expect this rule to fire and that we detect. */
  readonly hit: number;
  readonly attacks: number;
  /** Tests that expect this rule NOT to fire and that we nevertheless detect. */
  readonly falseHits: number;
  readonly negatives: number;
  readonly missed: CrsVector[];
  readonly wrong: CrsVector[];
}

export function evaluateDir(dir: string, chain: Chain, detect: (s: string) => boolean): RuleStats[] {
  return loadCrsDir(dir, chain).map(({ ruleId, vectors }) => {
    const missed: CrsVector[] = [];
    const wrong: CrsVector[] = [];
    let hit = 0;
    let attacks = 0;
    let falseHits = 0;
    let negatives = 0;
    for (const v of vectors) {
      const found = v.values.some(detect);
      if (v.expect === true) {
        attacks++;
        if (found) hit++;
        else missed.push(v);
      } else if (v.expect === false) {
        negatives++;
        if (found) {
          falseHits++;
          wrong.push(v);
        }
      }
    }
    return { ruleId, hit, attacks, falseHits, negatives, missed, wrong };
  });
}

export function benignCorpus(): string[] {
  const data: unknown = JSON.parse(readFileSync(new URL('./benign.json', import.meta.url), 'utf8'));
  if (!Array.isArray(data)) throw new Error('benign.json must be an array');
  return data.filter((x): x is string => typeof x === 'string');
}

export function sum(stats: readonly RuleStats[], pick: (s: RuleStats) => number): number {
  return stats.reduce((a, s) => a + pick(s), 0);
}

/**
 * Negative tests (no_expect_ids) of every CRS family except 941/942: mostly benign requests, a false-positive probe.
 * Returns how many tests had at least one value flagged, and the flagged values.
 */
export function otherFamilyNegatives(chain: Chain, detect: (s: string) => boolean): {
  tests: number;
  flagged: string[];
} {
  const root = CRS_TESTS_DIR;
  let tests = 0;
  const flagged: string[] = [];
  if (!existsSync(root)) return { tests, flagged };
  for (const dir of readdirSync(root).sort()) {
    if (!/^RE(QUEST|SPONSE)-/.test(dir) || dir.includes('-941-') || dir.includes('-942-')) continue;
    for (const f of readdirSync(join(root, dir)).sort()) {
      if (!f.endsWith('.yaml')) continue;
      for (const v of loadCrsFile(join(root, dir, f), Number(f.slice(0, 6)), chain)) {
        if (v.expect !== false) continue;
        tests++;
        const hit = v.values.find(detect);
        if (hit !== undefined) flagged.push(`${f}#${v.testId}: ${hit.slice(0, 80)}`);
      }
    }
  }
  return { tests, flagged };
}
