/**
 * Logging. Two streams: the process log (pino, to stderr), and the access log (one JSON line per request from
 * the log phase, written off the hot path through pino's asynchronous destination). Secrets never go in either:
 * the access log records no request headers but the User-Agent, and `redact` guards the process log.
 */
import pino from 'pino';
import type { Logger } from 'pino';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type { Logger };

const REDACT = ['token', 'secret', 'password', 'authorization', '*.token', '*.secret', '*.password', '*.authorization', 'headers.authorization', 'headers.cookie'];

export function createLogger(opts: { level?: string; name?: string; destination?: number | string } = {}): Logger {
  return pino({
    level: opts.level ?? process.env['RAMPART_LOG_LEVEL'] ?? 'info',
    name: opts.name ?? 'rampart',
    base: { pid: process.pid },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  }, pino.destination({ dest: opts.destination ?? 2, sync: true }));
}

/** Where access lines go: 'off', 'stdout', or a file path (created). */
export interface AccessLog {
  /** False when lines go nowhere ('off'): the log phase then skips building them. */
  readonly enabled: boolean;
  write(line: Record<string, unknown>): void;
  /** A line already serialised as JSON, ending with a newline. */
  writeLine(line: string): void;
  flush(): void;
}

export function createAccessLog(target: string): AccessLog {
  if (target === 'off') return { enabled: false, write() {}, writeLine() {}, flush() {} };
  let dest: ReturnType<typeof pino.destination>;
  if (target === 'stdout') dest = pino.destination({ dest: 1, sync: false, minLength: 8192 });
  else {
    mkdirSync(dirname(target), { recursive: true });
    dest = pino.destination({ dest: target, sync: false, minLength: 8192, mkdir: true });
  }
  // Buffered writes (8 KiB) keep the hot path cheap; a timer bounds how stale the file can be. The destination
  // opens asynchronously: flushing before it is ready, or after its file went away, must never take the process
  // down (an 'error' event with no listener would), so errors are counted and reported once.
  let ready = false;
  let failed = false;
  dest.once('ready', () => { ready = true; });
  dest.on('error', (e: Error) => {
    if (!failed) { failed = true; process.stderr.write(`rampart: access log ${target} failed: ${e.message}; lines are dropped\n`); }
  });
  const t = setInterval(() => { if (ready && !failed) { try { dest.flush(); } catch { /* closed */ } } }, 1000);
  t.unref();
  return {
    enabled: true,
    write(line) { if (!failed) dest.write(JSON.stringify(line) + '\n'); },
    writeLine(line) { if (!failed) dest.write(line); },
    flush() { if (ready && !failed) { try { dest.flushSync(); } catch { /* closed */ } } },
  };
}
