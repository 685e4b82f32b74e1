/**
 * Test helper: a throwaway redis-server (Debian's /usr/bin/redis-server) on 127.0.0.1, no persistence.
 *
 *   const server = await startRedisServer();
 *   ... new Redis(server.url) ...
 *   await server.stop();     // SIGKILL: clients see the connection drop
 *   await server.restart();  // same port, empty data set
 *   await server.stop();
 *
 * Uses only node: modules. The server is also killed if the test process exits without stopping it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';

export const REDIS_SERVER_PATH = '/usr/bin/redis-server';

/** True when /usr/bin/redis-server exists (tests skip otherwise). */
export function redisServerAvailable(): boolean {
  return existsSync(REDIS_SERVER_PATH);
}

export interface RedisTestServer {
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGKILL) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop(); stops it first if still running). */
  restart(): Promise<void>;
}

export interface StartRedisServerOptions {
  /** Default: a free random port. */
  port?: number;
  /** Longest wait for the first PONG, in milliseconds. Default 10,000. */
  startTimeoutMs?: number;
}

const running = new Set<ChildProcess>();
let exitHook = false;

export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisTestServer> {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => { for (const child of running) child.kill('SIGKILL'); });
  }
  const limitMs = options.startTimeoutMs ?? 10_000;
  let port = options.port ?? await freePort();
  let child: ChildProcess | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      child = await launch(port, limitMs);
      break;
    } catch (error) {
      // A random port taken between freePort() and the bind: try another.
      if (options.port !== undefined || attempt >= 3) throw error;
      port = await freePort();
    }
  }
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c !== undefined) await kill(c);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    restart: async () => {
      await stop();
      child = await launch(port, limitMs);
    },
  };
}

async function launch(port: number, limitMs: number): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER_PATH, [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', tmpdir(),
    '--daemonize', 'no',
    '--loglevel', 'warning',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => { output = (output + chunk.toString('utf8')).slice(-2000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.once('exit', () => { exited = true; running.delete(child); });
  const start = performance.now();
  while (!(await answersPing(port))) {
    if (exited || performance.now() - start > limitMs) {
      await kill(child);
      throw new Error(`redis-server on port ${port} did not start: ${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (exited) throw new Error(`redis-server on port ${port} exited (port taken?): ${output.trim()}`);
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let got = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      got += chunk.toString('latin1');
      if (got.includes('\r\n')) finish(got.startsWith('+PONG'));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
