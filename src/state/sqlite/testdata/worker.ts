/**
 * Child process for the cross-process tests (not part of the library).
 *   node worker.ts <db> count <n> <time>   prints "ready", waits for a line on stdin (so several children start
 *                                          together), then n counter hits and n incr on shared keys; prints "done"
 *   node worker.ts <db> loop <time>        forever: incr('n') then hit('c'), printing each incr result on its own line
 *   node worker.ts <db> listen <channel>   subscribes, prints "ready", then prints every message; exits after "bye"
 * <time> is a fixed clock value, so every process sees the same window bucket.
 */
import type { Clock } from '../../../lib/clock.ts';
import { openSqlite } from '../open-sqlite.ts';
import { SqliteCounterStore } from '../sqlite-counter-store.ts';
import { SqliteEventBus } from '../sqlite-event-bus.ts';
import { SqliteKeyValueStore } from '../sqlite-key-value-store.ts';

const WINDOW_MS = 3_600_000;
const [path, mode, a, b] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: worker.ts <db> count <n> <time> | loop <time>');
const time = Number(mode === 'count' ? b : a);
const clock: Clock = { now: () => time };
const db = openSqlite(path);
const counters = new SqliteCounterStore({ db, clock, sweepIntervalMs: 0 });
const kv = new SqliteKeyValueStore({ db, clock, sweepIntervalMs: 0 });

if (mode === 'count') {
  const n = Number(a);
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.destroy();
  for (let i = 0; i < n; i++) {
    await counters.hit('shared', WINDOW_MS);
    await kv.incr('shared');
  }
  db.close();
  process.stdout.write('done\n');
} else if (mode === 'loop') {
  for (;;) {
    const v = await kv.incr('n');
    await counters.hit('c', WINDOW_MS);
    process.stdout.write(`${v}\n`); // synchronous on a pipe on Linux: every printed value was committed
  }
} else if (mode === 'listen') {
  const bus = new SqliteEventBus({ db, pollIntervalMs: 5 });
  const keepAlive = setInterval(() => {}, 1000); // the bus timer is unref'd
  await bus.subscribe(String(a), (message) => {
    process.stdout.write(`${message}\n`);
    if (message === 'bye') {
      clearInterval(keepAlive);
      void bus.close().then(() => db.close());
    }
  });
  process.stdout.write('ready\n');
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}
