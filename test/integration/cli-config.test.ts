import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rampart-cli-'));
let node: TestNode;
let origin: TestOrigin;
const cfg = join(dir, 'rampart.yaml');

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, ...args], {
      env: { ...process.env, RAMPART_API: `http://127.0.0.1:${node.adminPort}`, RAMPART_ADMIN_TOKEN: node.adminToken, ...env },
    });
    let out = ''; let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

before(async () => {
  origin = await startOrigin();
  writeFileSync(cfg, `# test config\nzones:\n  - name: file-a.test\n    origins: ["${origin.address}"]\n  - name: file-b.test\n    origins: ["${origin.address}"]\n`);
  node = await startTestNode({ config: cfg });
});
after(async () => { await node.stop(); await origin.close(); });

test('zones from the config file are served at start', async () => {
  assert.equal((await node.get('file-a.test', '/')).status, 200);
  assert.equal((await node.get('file-b.test', '/')).status, 200);
});

test('reload applies the edited file: added, changed and removed zones; API zones untouched', async () => {
  await node.addZone('api-made.test', [origin.address]);
  writeFileSync(cfg, `zones:\n  - name: file-a.test\n    origins: ["${origin.address}"]\n    settings: { security_level: high }\n  - name: file-c.test\n    origins: ["${origin.address}"]\n`);
  const r = await node.reload();
  assert.deepEqual({ added: r['added'], updated: r['updated'], removed: r['removed'] }, { added: 1, updated: 1, removed: 1 });
  await node.waitForVersion(Number(r['config_version']));
  assert.equal((await node.get('file-c.test', '/')).status, 200);
  assert.equal((await node.get('file-b.test', '/')).status, 404);
  assert.equal((await node.get('api-made.test', '/')).status, 200);
  const a = await node.api<Array<{ settings: { security_level: string }; source: string }>>('GET', '/client/v4/zones?name=file-a.test');
  assert.equal(a.json.result[0]?.settings.security_level, 'high');
  assert.equal(a.json.result[0]?.source, 'file');
});

test('a broken config file on reload is refused and the running config is unchanged', async () => {
  const good = `zones:\n  - name: file-a.test\n    origins: ["${origin.address}"]\n`;
  writeFileSync(cfg, good + `  - name: file-d.test\n    origins: ["nope:xx"]\n`);
  await assert.rejects(node.reload(), /rampart\.yaml:5:\d+: zones\[1\]\.origins\[0\]/);
  assert.equal((await node.get('file-a.test', '/')).status, 200);
  assert.equal((await node.get('file-d.test', '/')).status, 404);
});

test('rampart config validate: valid file, and errors naming file, line and key path', async () => {
  const ok = join(dir, 'ok.yaml');
  writeFileSync(ok, 'server:\n  workers: 2\nzones:\n  - name: v.test\n    origins: ["127.0.0.1:8000"]\n');
  const r1 = await cli(['config', 'validate', ok]);
  assert.equal(r1.code, 0, r1.err);
  assert.match(r1.out, /valid \(1 zone\)/);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'server:\n  workers: two\nzones:\n  - name: v.test\n    pool:\n      connect_timeout: -1\n');
  const r2 = await cli(['config', 'validate', bad]);
  assert.equal(r2.code, 1);
  assert.match(r2.err, /bad\.yaml:2:\d+: server\.workers: /);
  assert.match(r2.err, /bad\.yaml:6:\d+: zones\[0\]\.pool\.connect_timeout: /);
  const r3 = await cli(['config', 'validate', bad, '--json']);
  const j = JSON.parse(r3.out) as { success: boolean; errors: Array<{ line: number; path: string }> };
  assert.equal(j.success, false);
  assert.deepEqual(j.errors.map((e) => e.line), [2, 6]);
  const r4 = await cli(['config', 'validate', join(dir, 'missing.yaml')]);
  assert.equal(r4.code, 1);
  assert.match(r4.err, /missing\.yaml.*cannot read the file \(ENOENT\)/);
});

test('the example config in docs/configuration.md validates', async () => {
  const { readFileSync } = await import('node:fs');
  const md = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const m = /```yaml\n([\s\S]*?)```/.exec(md);
  assert.ok(m, 'docs/configuration.md has a yaml example');
  const f = join(dir, 'example.yaml');
  writeFileSync(f, m[1]!);
  const r = await cli(['config', 'validate', f]);
  assert.equal(r.code, 0, r.err);
});

test('rampart zone add/list/show/set/delete and origin set, human and --json', async () => {
  const add = await cli(['zone', 'add', 'cli.test', '--origin', origin.address, '--origin', '127.0.0.2:9', '--json']);
  assert.equal(add.code, 0, add.err);
  const added = JSON.parse(add.out) as { success: boolean; result: { id: string; pool: { origins: Array<{ address: string }> } } };
  assert.equal(added.success, true);
  assert.deepEqual(added.result.pool.origins.map((o) => o.address), [origin.address, '127.0.0.2:9']);
  const list = await cli(['zone', 'list']);
  assert.match(list.out, /^cli\.test\t[0-9a-f]{32}\t/m);
  const show = await cli(['zone', 'show', 'cli.test']);
  assert.match(show.out, /zone\s+cli\.test/);
  const set = await cli(['zone', 'set', 'cli.test', '--security-level', 'under_attack']);
  assert.equal(set.code, 0, set.err);
  const badLevel = await cli(['zone', 'set', 'cli.test', '--security-level', 'extreme']);
  assert.equal(badLevel.code, 1);
  assert.match(badLevel.err, /security_level/);
  const os = await cli(['origin', 'set', 'cli.test', '--origin', origin.address, '--health-path', '/healthz', '--health-interval', '30', '--json']);
  assert.equal(os.code, 0, os.err);
  const pool = (JSON.parse(os.out) as { result: { origins: unknown[]; health_check: { path: string; interval: number; enabled: boolean } } }).result;
  assert.equal(pool.origins.length, 1);
  assert.deepEqual([pool.health_check.path, pool.health_check.interval, pool.health_check.enabled], ['/healthz', 30, true]);
  const noZone = await cli(['zone', 'add', 'cli.test', '--origin', origin.address]);
  assert.equal(noZone.code, 1);
  assert.match(noZone.err, /already exists/);
  const del = await cli(['zone', 'delete', 'cli.test', '--reason', 'account_request']);
  assert.equal(del.code, 0, del.err);
  const missing = await cli(['zone', 'show', 'cli.test']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /not found/);
});

test('CLI usage errors exit 2; wrong token and unreachable API say what to do', async () => {
  const r1 = await cli(['zone', 'add']);
  assert.equal(r1.code, 2);
  assert.match(r1.err, /missing the zone name/);
  const r2 = await cli(['zone', 'frobnicate']);
  assert.equal(r2.code, 2);
  const r3 = await cli(['zone', 'list', '--bogus']);
  assert.equal(r3.code, 2);
  assert.match(r3.err, /--bogus/);
  const r4 = await cli(['zone', 'list'], { RAMPART_ADMIN_TOKEN: 'wrong' });
  assert.equal(r4.code, 1);
  assert.match(r4.err, /invalid API token/);
  const r5 = await cli(['status'], { RAMPART_API: 'http://127.0.0.1:1' });
  assert.equal(r5.code, 1);
  assert.match(r5.err, /cannot reach the admin API/);
  const r6 = await cli(['status', '--json']);
  assert.equal(r6.code, 0, r6.err);
  assert.equal((JSON.parse(r6.out) as { success: boolean }).success, true);
});
