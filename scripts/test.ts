// The whole test suite: unit tests beside the code (src/**/*.test.ts) and integration tests (test/**/*.test.ts),
// on node:test. Extra arguments are passed to `node --test` (e.g. a file or --test-name-pattern).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);

function collect(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
}

const files: string[] = [];
const explicit = args.filter((a) => !a.startsWith('-'));
if (explicit.length > 0) files.push(...explicit);
else { collect(join(root, 'src'), files); collect(join(root, 'test'), files); }
files.sort();
const flags = args.filter((a) => a.startsWith('-'));
if (explicit.length === 0) {
  // the whole suite starts with the type check: a type error fails it like a failing test
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json'), '--noEmit'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) { console.error('typecheck failed (npm run typecheck)'); process.exit(tsc.status ?? 1); }
  console.log('typecheck: ok');
}
const r = spawnSync(process.execPath, [
  '--disable-warning=ExperimentalWarning', '--test', '--test-concurrency=2', '--test-timeout=180000', ...flags, ...files,
], { cwd: root, stdio: 'inherit', env: { ...process.env, RAMPART_TEST: '1' } });
process.exit(r.status ?? 1);
