/**
 * Opening a SQLite database for shared state: WAL journal (readers never block the writer, and a crashed
 * process leaves the file consistent), `synchronous = NORMAL` (durable against a process crash; a power loss can
 * drop the last transactions, never corrupt), and `busy_timeout` so several worker processes on one machine wait
 * for each other's write lock instead of failing. node:sqlite is synchronous: a wait for the lock blocks the
 * event loop of that worker for at most `busyTimeoutMs`, and writes are single short statements or transactions.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export interface OpenSqliteOptions {
  /** How long a statement waits for another connection's lock before failing with SQLITE_BUSY. Default 5000. */
  busyTimeoutMs?: number;
}

/** Opens (creating the file and its directory when missing) and configures a database file. */
export function openSqlite(path: string, options: OpenSqliteOptions = {}): DatabaseSync {
  const busy = options.busyTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(busy) || busy < 0) throw new RangeError('busyTimeoutMs must be a non-negative integer');
  if (path !== '' && path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  try {
    db.exec(`PRAGMA busy_timeout = ${busy}`);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Runs `fn` inside BEGIN IMMEDIATE … COMMIT (the write lock is taken up front, so no SQLITE_BUSY mid-way). */
export function immediateTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
