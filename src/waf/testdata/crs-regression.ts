/**
 * CRS regression runner (`npm run test:crs`): runs every go-ftw test of the CRS against the engine through a
 * driver, prints one line per failure and a closing `N passed, M failed` line; exits non-zero when the pass count
 * drops below src/waf/testdata/crs-baseline.json. Options: `--driver in-process` (default), `--rule 942100`,
 * `--write-baseline`, `--verbose`.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { enableSafeRegex } from '../../lib/regex.ts';
import { buildRequest, checkOutcome, loadTests } from './ftw.ts';
import type { Driver } from './ftw.ts';
import { InProcessDriver } from './in-process-driver.ts';

enableSafeRegex();
const { compileRuleset, crsConfig, defaultCrsDir } = await import('../index.ts');

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const onlyRule = opt('--rule');
const verbose = args.includes('--verbose');

interface Override { rule_id: number; test_ids?: number[]; reason: string; skip_status?: boolean }
const overridesPath = join(here, 'crs-overrides.yaml');
const overrides: Override[] = existsSync(overridesPath) ? ((parse(readFileSync(overridesPath, 'utf8')) as { test_overrides?: Override[] } | null)?.test_overrides ?? []) : [];
const isOverridden = (rule: number, test: number): Override | undefined => overrides.find((o) => o.rule_id === rule && (!o.test_ids || o.test_ids.includes(test)));

/** The CRS test environment (tests/docker-compose.yml): DetectionOnly, blocking paranoia 4, test limits. */
export function crsTestConfig(crsDir: string): string {
  return crsConfig({
    crsDir, paranoia: 4, mode: 'detect',
    setup: { arg_length: 400, total_arg_length: 6400, max_file_size: 64100, combined_file_sizes: 65535, arg_name_length: 100, max_num_args: 255 },
  });
}

const crsDir = defaultCrsDir();
const t0 = performance.now();
const ruleset = await compileRuleset({ text: crsTestConfig(crsDir), settings: { budgetMs: 0 } });
const loadMs = performance.now() - t0;
const driverName = opt('--driver') ?? 'in-process';
let driver: Driver;
if (driverName === 'in-process') driver = new InProcessDriver(ruleset);
else { console.error(`unknown driver ${driverName} (available: in-process)`); process.exit(2); }

const tests = loadTests(join(crsDir, 'tests', 'regression', 'tests')).filter((t) => !onlyRule || String(t.ruleId) === onlyRule);
let passed = 0;
let failed = 0;
let skipped = 0;
const t1 = performance.now();
for (const t of tests) {
  const ov = isOverridden(t.ruleId, t.testId);
  if (ov && !ov.skip_status) { skipped++; if (verbose) console.log(`SKIP ${t.ruleId}-${t.testId}: ${ov.reason}`); continue; }
  let why: string | undefined;
  for (const [i, st] of t.stages.entries()) {
    try {
      const got = await driver.send(buildRequest(st.input));
      const w = checkOutcome(ov?.skip_status ? { ...st.output, status: undefined } : st.output, got);
      if (w) { why = (t.stages.length > 1 ? `stage ${i + 1}: ` : '') + w + (verbose ? ` [logged: ${got.ids.join(',')}]` : ''); break; }
    } catch (e) {
      if (!st.output.expect_error) { why = `exception: ${(e as Error).message}`; break; }
    }
  }
  if (why) { failed++; console.log(`FAIL ${t.ruleId} test ${t.testId}: ${why}`); } else passed++;
}
const runMs = performance.now() - t1;
console.log(`driver ${driver.name}; ruleset ${ruleset.rules.length} rules loaded in ${loadMs.toFixed(0)} ms; ${tests.length} tests in ${runMs.toFixed(0)} ms; ${skipped} skipped by overrides (${overrides.length} entries)`);
console.log(`${passed} passed, ${failed} failed`);

const baselinePath = join(here, 'crs-baseline.json');
if (args.includes('--write-baseline')) {
  writeFileSync(baselinePath, JSON.stringify({ passed }, null, 2) + '\n');
} else if (!onlyRule && existsSync(baselinePath)) {
  const base = JSON.parse(readFileSync(baselinePath, 'utf8')) as { passed: number };
  if (passed < base.passed) {
    console.log(`pass count ${passed} is below the baseline ${base.passed}`);
    process.exit(1);
  }
}
