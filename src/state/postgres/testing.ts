/**
 * A throwaway PostgreSQL server for tests: `initdb` into a fresh temp dir and `postgres` on 127.0.0.1 and a free
 * port, both run as the unprivileged user `nobody` (postgres refuses root), with fsync off. User `rampart`, trust
 * authentication, database `postgres`. Start ONE server per test file (initdb takes a few seconds) and give each
 * test its own database with `freshDatabase(url)`. The server is killed and its directory removed when the process
 * exits, even if a test forgets `dispose()`.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  /** `postgres://rampart@127.0.0.1:PORT/postgres` */
  readonly url: string;
  readonly port: number;
  /** Fast shutdown (clients are disconnected); resolves when the server has exited. Data is kept. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and data (stopping it first if it runs); resolves when it accepts connections. */
  restart(): Promise<void>;
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>;
}

/** The newest installed `/usr/lib/postgresql/<version>/bin`, or undefined when PostgreSQL is not installed. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(root, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return bin;
  }
  return undefined;
}

function nobody(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  const parts = line?.split(':');
  const uid = Number(parts?.[2]);
  const gid = Number(parts?.[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('no user "nobody" in /etc/passwd');
  return { uid, gid };
}

/** os.tmpdir() when `nobody` can reach into it, else /tmp. */
function traversableTmp(): string {
  const t = tmpdir();
  for (let d = t; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return '/tmp';
    if (dirname(d) === d) return t;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, logPath: string, limitMs = 30_000): Promise<void> {
  const start = performance.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited during startup:\n${readFileSync(logPath, 'utf8').slice(-2000)}`);
    }
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch {
      await c.end().catch(() => {});
    }
    if (performance.now() - start > limitMs) throw new Error(`postgres did not accept connections within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const live = new Set<{ child: ChildProcess | undefined; dir: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const s of live) {
      // SIGQUIT: immediate shutdown, the postmaster takes its backends down with it.
      if (s.child && s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGQUIT');
      try { rmSync(s.dir, { recursive: true, force: true }); } catch { /* best effort */ }
    }
  });
}

/** Starts a fresh PostgreSQL server (see the file header). Throws when the binaries are absent. */
export async function startPostgresServer(): Promise<TestPostgres> {
  const bin = findPostgresBin();
  if (bin === undefined) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql/*/bin');
  const { uid, gid } = nobody();
  const dir = mkdtempSync(join(traversableTmp(), 'rampart-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  mkdirSync(data, { mode: 0o700 });
  mkdirSync(sock, { mode: 0o755 });
  chownSync(dir, uid, gid);
  chownSync(data, uid, gid);
  chownSync(sock, uid, gid);
  const state: { child: ChildProcess | undefined; dir: string } = { child: undefined, dir };
  live.add(state);
  installExitHook();
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'rampart', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], { uid, gid, env, cwd: dir, stdio: 'pipe' });

  let port = await freePort();
  let url = `postgres://rampart@127.0.0.1:${port}/postgres`;
  const logPath = join(dir, 'postgres.log');

  const start = async (): Promise<void> => {
    const fd = openSync(logPath, 'a');
    chownSync(logPath, uid, gid);
    const child = spawn(join(bin, 'postgres'), [
      '-D', data, '-p', String(port), '-k', sock,
      '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', 'max_connections=200', '-c', 'shared_buffers=16MB',
    ], { uid, gid, env, cwd: dir, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.unref();
    state.child = child;
    await waitReady(url, child, logPath);
  };

  const stop = async (): Promise<void> => {
    const child = state.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.ref(); // keep the loop alive until it has exited
    child.kill('SIGINT'); // fast shutdown: active clients are disconnected
    await exited;
    state.child = undefined;
  };

  // The free port may be taken between the probe and postgres's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (e) {
      if (attempt >= 3 || !/could not bind|Address already in use/i.test(String(e))) throw e;
      port = await freePort();
      url = `postgres://rampart@127.0.0.1:${port}/postgres`;
    }
  }
  return {
    url,
    port,
    stop,
    restart: async () => { await stop(); await start(); },
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
      live.delete(state);
    },
  };
}

let dbCounter = 0;

/** Creates an empty database `t_<pid>_<n>` on the server of `url` and returns its URL. */
export async function freshDatabase(url: string): Promise<string> {
  const name = `t_${process.pid}_${++dbCounter}`;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
