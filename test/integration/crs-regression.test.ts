// The OWASP CRS's own regression suite (go-ftw YAML from ../shared/crs/4.28.0 or RAMPART_CRS_DIR) against the WAF
// engine: the runner exits non-zero when the pass count falls below the recorded baseline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { findCrsDir } from '../../src/edge/phases/index.ts';

const crs = findCrsDir();
const skip = crs !== undefined && existsSync(`${crs}/../4.28.0/tests`) || existsSync(`${crs}/tests/regression/tests`) ? false : 'no CRS 4.28.0 regression tests (set RAMPART_CRS_DIR)';

test('the CRS regression suite passes at or above the recorded baseline', { skip, timeout: 300_000 }, () => {
  const runner = new URL('../../src/waf/testdata/crs-regression.ts', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', runner], { encoding: 'utf8', env: process.env });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  assert.equal(r.status, 0, `${last}\n${r.stderr.slice(-2000)}`);
  const m = /^(\d+) passed, (\d+) failed/.exec(last);
  assert.ok(m, `closing line: ${last}`);
  const baseline = JSON.parse(readFileSync(new URL('../../src/waf/testdata/crs-baseline.json', import.meta.url), 'utf8')) as { passed: number };
  assert.ok(Number(m[1]) >= baseline.passed, `${m[1]} passed, baseline ${baseline.passed}`);
});
