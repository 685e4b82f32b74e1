// The real thing: ./rampart start as a user runs it (launcher, primary + worker processes), driven by signals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rampart-e2e-'));
const cfg = join(dir, 'rampart.yaml');
let proc: ChildProcess;
let origin: TestOrigin;
let banner = '';
let ports: { http: number; https: number; admin: number };
let token = '';
// no RAMPART_ADMIN_TOKEN: the node must generate one
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'RAMPART_ADMIN_TOKEN'));

before(async () => {
  origin = await startOrigin();
  writeFileSync(cfg, `zones:\n  - name: file.test\n    origins: ["${origin.address}"]\n`);
  proc = spawn(join(ROOT, 'rampart'), ['start', '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--data', join(dir, 'data'), '--workers', '1', '--config', cfg], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no banner: ${banner}`)), 60_000);
    proc.stdout!.on('data', (d: Buffer) => { banner += d.toString(); if (/admin token: /.test(banner) && banner.includes('\n', banner.indexOf('admin token: '))) { clearTimeout(t); resolve(); } });
    proc.once('exit', (c) => reject(new Error(`exited ${c}: ${banner}`)));
  });
  const num = (re: RegExp): number => Number(re.exec(banner)?.[1]);
  ports = { http: num(/http\s+127\.0\.0\.1:(\d+)/), https: num(/https\s+127\.0\.0\.1:(\d+)/), admin: num(/admin\s+http:\/\/127\.0\.0\.1:(\d+)/) };
  token = /admin token: (\S+)/.exec(banner)?.[1] ?? '';
});
after(async () => { if (proc.exitCode === null) proc.kill('SIGKILL'); await origin.close(); });

test('the banner names every listener and the generated admin token, stored with mode 0600', () => {
  assert.ok(ports.http > 0 && ports.https > 0 && ports.admin > 0, banner);
  assert.match(token, /^rpt_/);
  const f = join(dir, 'data', 'admin-token');
  assert.equal(readFileSync(f, 'utf8').trim(), token);
  assert.equal(statSync(f).mode & 0o777, 0o600);
});

test('the CLI through the launcher adds a zone that the worker serves', async () => {
  const run = promisify(execFile);
  const e = { ...env, RAMPART_API: `http://127.0.0.1:${ports.admin}`, RAMPART_ADMIN_TOKEN: token };
  const r = await run(join(ROOT, 'rampart'), ['zone', 'add', 'cli.test', '--origin', origin.address, '--json'], { cwd: ROOT, env: e });
  assert.equal((JSON.parse(r.stdout) as { success: boolean }).success, true);
  const res = await request(`http://127.0.0.1:${ports.http}/x`, { headers: { host: 'cli.test' } });
  await res.body.dump();
  assert.equal(res.statusCode, 200);
  const st = await run(join(ROOT, 'rampart'), ['status'], { cwd: ROOT, env: e });
  assert.match(st.stdout, /workers\s+1/);
});

test('SIGHUP reloads the config file', async () => {
  writeFileSync(cfg, `zones:\n  - name: file.test\n    origins: ["${origin.address}"]\n  - name: hup.test\n    origins: ["${origin.address}"]\n`);
  proc.kill('SIGHUP');
  let status = 0;
  for (let i = 0; i < 50 && status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const r = await request(`http://127.0.0.1:${ports.http}/`, { headers: { host: 'hup.test' } });
    await r.body.dump();
    status = r.statusCode;
  }
  assert.equal(status, 200);
});

test('SIGTERM drains: an in-flight request completes, then the node exits 0', async () => {
  const inflight = request(`http://127.0.0.1:${ports.http}/slow?delay_ms=1500`, { headers: { host: 'file.test' } });
  await new Promise((r) => setTimeout(r, 300));
  const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  proc.kill('SIGTERM');
  const res = await inflight;
  const body = await res.body.text();
  assert.equal(res.statusCode, 200);
  assert.match(body, /"url":"\/slow/);
  assert.equal(await exited, 0);
});
