/**
 * DiskCacheStore: body files in a directory plus an index in SQLite (node:sqlite, WAL), bounded by bytes with LRU
 * eviction, surviving restarts.
 *
 * Crash safety: a body is streamed chunk by chunk to `tmp/<id>`, closed (optionally fsynced), renamed to
 * `body/<id[0,2]>/<id>`, and only then indexed. So an index row always points at a complete file; a crash leaves at
 * worst a temp file or an unindexed body file, both removed by `open()`. Old bodies are unlinked after the index
 * stops pointing at them. Readers that already opened a file keep reading it after a purge (POSIX unlink).
 *
 * LRU: reads record a touch in memory (no write per hit); touches are flushed to SQLite before eviction, on each
 * commit, and at close, so the order survives restarts approximately (touches since the last flush are lost).
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import type { Readable } from 'node:stream';
import type {
  ByteRange, CacheEntryMeta, CacheStore, CacheStoreStats, CacheWriter, CachedEntry, NewCacheEntry, PurgeSelector,
} from '../state/cache-store.ts';
import type { Clock } from '../lib/clock.ts';
import { systemClock } from '../lib/clock.ts';
import { CacheError, entryTooLarge, storeClosed, writerClosed } from './errors.ts';
import { metaCost, normalizePrefix } from './entry-cost.ts';

export interface DiskCacheStoreOptions {
  /** Directory holding index.sqlite, body/ and tmp/ (created when missing). */
  readonly dir: string;
  /** Bound on the sum of entry costs (body bytes + metadata estimate). */
  readonly maxBytes: number;
  /** Largest body accepted (default: maxBytes / 8). */
  readonly maxEntryBytes?: number;
  /** fsync body files before they are indexed (survives power loss, slower). Default false: survives process crashes. */
  readonly fsync?: boolean;
  readonly clock?: Clock;
}

interface Row {
  id: string;
  meta: string;
  cost: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  id TEXT PRIMARY KEY,
  key TEXT NOT NULL,
  variant TEXT NOT NULL,
  zone TEXT NOT NULL,
  host TEXT NOT NULL,
  host_path TEXT NOT NULL,
  meta TEXT NOT NULL,
  size INTEGER NOT NULL,
  cost INTEGER NOT NULL,
  last_access INTEGER NOT NULL,
  UNIQUE (key, variant)
);
CREATE INDEX IF NOT EXISTS entries_lru ON entries (last_access);
CREATE INDEX IF NOT EXISTS entries_host ON entries (host);
CREATE INDEX IF NOT EXISTS entries_host_path ON entries (host_path);
CREATE INDEX IF NOT EXISTS entries_zone ON entries (zone);
CREATE TABLE IF NOT EXISTS tags (tag TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (tag, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tags_id ON tags (id);
`;

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * One store per directory: open() recovers by deleting temp files, which would destroy another live process's
 * writes. The lock file holds the owner's pid; a lock left by a dead process is taken over.
 */
async function takeLock(path: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new CacheError('CACHE_STORE_LOCKED', `cache directory is in use by process ${pid}`);
      }
      await unlink(path).catch(() => undefined);
    }
  }
  throw new CacheError('CACHE_STORE_LOCKED', 'could not lock the cache directory');
}

export class DiskCacheStore implements CacheStore {
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  readonly #dir: string;
  readonly #fsync: boolean;
  readonly #clock: Clock;
  readonly #db: DatabaseSync;
  readonly #q: Record<string, StatementSync>;
  #bytes = 0;
  #entries = 0;
  #seq = 0;
  /** id → last access sequence, not yet written to SQLite. */
  readonly #touches = new Map<string, number>();
  /** `key\0variant` → last access sequence (touches by key from the tiered store), not yet written. */
  readonly #keyTouches = new Map<string, number>();
  readonly #madeDirs = new Set<string>();
  #closed = false;

  private constructor(o: DiskCacheStoreOptions, db: DatabaseSync) {
    this.#dir = o.dir;
    this.maxBytes = o.maxBytes;
    this.maxEntryBytes = Math.min(o.maxEntryBytes ?? Math.floor(o.maxBytes / 8), o.maxBytes);
    this.#fsync = o.fsync ?? false;
    this.#clock = o.clock ?? systemClock;
    this.#db = db;
    const p = (sql: string): StatementSync => db.prepare(sql);
    this.#q = {
      byKey: p('SELECT id, meta, cost FROM entries WHERE key = ?'),
      touchByKey: p('UPDATE entries SET last_access = MAX(last_access, ?) WHERE key = ? AND variant = ?'),
      byKeyVariant: p('SELECT id, meta, cost FROM entries WHERE key = ? AND variant = ?'),
      insert: p('INSERT INTO entries (id, key, variant, zone, host, host_path, meta, size, cost, last_access) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      insertTag: p('INSERT OR IGNORE INTO tags (tag, id) VALUES (?, ?)'),
      costById: p('SELECT cost FROM entries WHERE id = ?'),
      deleteById: p('DELETE FROM entries WHERE id = ?'),
      deleteTags: p('DELETE FROM tags WHERE id = ?'),
      updateMeta: p('UPDATE entries SET meta = ?, cost = ? WHERE id = ?'),
      touch: p('UPDATE entries SET last_access = MAX(last_access, ?) WHERE id = ?'),
      oldest: p('SELECT id, meta, cost FROM entries ORDER BY last_access LIMIT 64'),
      byTag: p('SELECT e.id, e.meta, e.cost, e.zone FROM tags t JOIN entries e ON e.id = t.id WHERE t.tag = ?'),
      byHost: p('SELECT id, meta, cost, zone FROM entries WHERE host = ?'),
      byPrefix: p('SELECT id, meta, cost, zone FROM entries WHERE host_path >= ? AND host_path < ?'),
      byZone: p('SELECT id, meta, cost FROM entries WHERE zone = ?'),
      all: p('SELECT id, meta, cost FROM entries'),
    };
  }

  /** Open (or create) a store: applies the schema, removes temp files and unindexed bodies, sums sizes. */
  static async open(options: DiskCacheStoreOptions): Promise<DiskCacheStore> {
    await mkdir(join(options.dir, 'tmp'), { recursive: true });
    await mkdir(join(options.dir, 'body'), { recursive: true });
    await takeLock(join(options.dir, 'lock'));
    const db = new DatabaseSync(join(options.dir, 'index.sqlite'));
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    db.exec(SCHEMA);
    const store = new DiskCacheStore(options, db);
    await store.#recover();
    return store;
  }

  async #recover(): Promise<void> {
    // Unfinished writes.
    await rm(join(this.#dir, 'tmp'), { recursive: true, force: true });
    await mkdir(join(this.#dir, 'tmp'), { recursive: true });
    const ids = new Set<string>();
    for (const r of this.#db.prepare('SELECT id FROM entries').all()) ids.add(String(r['id']));
    // Bodies without an index row (crash between rename and insert) are orphans.
    const onDisk = new Set<string>();
    for (const sub of await readdir(join(this.#dir, 'body'))) {
      for (const f of await readdir(join(this.#dir, 'body', sub)).catch(() => [] as string[])) {
        if (ids.has(f)) onDisk.add(f);
        else await unlink(join(this.#dir, 'body', sub, f)).catch(() => undefined);
      }
    }
    // Rows whose body vanished (removed by hand) are dropped.
    for (const id of ids) if (!onDisk.has(id)) this.#deleteRows([id]);
    const agg = this.#db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(cost), 0) AS b, COALESCE(MAX(last_access), 0) AS s FROM entries').get();
    this.#entries = Number(agg?.['n'] ?? 0);
    this.#bytes = Number(agg?.['b'] ?? 0);
    this.#seq = Number(agg?.['s'] ?? 0);
  }

  #bodyPath(id: string): string {
    return join(this.#dir, 'body', id.slice(0, 2), id);
  }

  #rowMeta(r: Record<string, unknown> | undefined): CacheEntryMeta | undefined {
    return r === undefined ? undefined : (JSON.parse(String(r['meta'])) as CacheEntryMeta);
  }

  async variants(key: string): Promise<readonly CacheEntryMeta[]> {
    if (this.#closed) throw storeClosed();
    return this.#q['byKey']!.all(key).map((r) => JSON.parse(String(r['meta'])) as CacheEntryMeta);
  }

  async get(key: string, variant: string): Promise<CachedEntry | undefined> {
    if (this.#closed) throw storeClosed();
    const r = this.#q['byKeyVariant']!.get(key, variant);
    const meta = this.#rowMeta(r);
    if (r === undefined || meta === undefined) return undefined;
    const id = String(r['id']);
    this.#touches.set(id, ++this.#seq);
    if (this.#touches.size > 10_000) this.#flushTouches();
    const path = this.#bodyPath(id);
    return {
      meta,
      body: (range?: ByteRange): Readable => createReadStream(path, range === undefined ? {} : { start: range.start, end: range.end }),
    };
  }

  /** Mark an entry recently used without reading its metadata (the tiered store calls it on memory hits). */
  touch(key: string, variant: string): void {
    if (this.#closed) return;
    const k = `${key}\u0000${variant}`;
    this.#keyTouches.delete(k);
    this.#keyTouches.set(k, ++this.#seq);
    if (this.#keyTouches.size > 10_000) this.#flushTouches();
  }

  async createWriter(entry: NewCacheEntry): Promise<CacheWriter> {
    if (this.#closed) throw storeClosed();
    const id = randomBytes(16).toString('hex');
    const tmp = join(this.#dir, 'tmp', id);
    const limit = this.maxEntryBytes;
    let fh: FileHandle | undefined = await open(tmp, 'w');
    let bytes = 0;
    let state: 'open' | 'done' = 'open';
    let chain: Promise<void> = Promise.resolve();
    const cleanup = async (): Promise<void> => {
      state = 'done';
      const h = fh;
      fh = undefined;
      await chain.catch(() => undefined);
      await h?.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
    };
    return {
      get bytesWritten() { return bytes; },
      write: async (chunk: Uint8Array): Promise<void> => {
        if (state !== 'open' || fh === undefined) throw writerClosed();
        if (bytes + chunk.byteLength > limit) { await cleanup(); throw entryTooLarge(limit); }
        bytes += chunk.byteLength;
        const h = fh;
        // A view, not a copy: the write is awaited before write() resolves, so the caller's buffer stays valid.
        const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        chain = chain.then(async () => {
          for (let off = 0; off < view.length;) off += (await h.write(view, off, view.length - off)).bytesWritten;
        });
        try { await chain; } catch (err) { await cleanup(); throw err; }
      },
      commit: async (): Promise<CacheEntryMeta> => {
        if (state !== 'open' || fh === undefined) throw writerClosed();
        state = 'done';
        const h = fh;
        fh = undefined;
        try {
          await chain;
          if (this.#fsync) await h.sync();
          await h.close();
          if (this.#closed) throw storeClosed();
          const meta: CacheEntryMeta = { ...entry, storedAt: this.#clock.now(), size: bytes };
          const sub = id.slice(0, 2);
          if (!this.#madeDirs.has(sub)) { await mkdir(join(this.#dir, 'body', sub), { recursive: true }); this.#madeDirs.add(sub); }
          await rename(tmp, this.#bodyPath(id));
          await this.#index(id, meta);
          return meta;
        } catch (err) {
          await h.close().catch(() => undefined);
          await unlink(tmp).catch(() => undefined);
          throw err;
        }
      },
      abort: cleanup,
    };
  }

  async #index(id: string, meta: CacheEntryMeta): Promise<void> {
    const cost = meta.size + metaCost(meta);
    const old = this.#q['byKeyVariant']!.all(meta.key, meta.variant).map((r) => String(r['id']));
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      this.#deleteRows(old, false);
      this.#q['insert']!.run(id, meta.key, meta.variant, meta.zone, meta.host, meta.hostPath, JSON.stringify(meta), meta.size, cost, ++this.#seq);
      for (const t of meta.tags) this.#q['insertTag']!.run(t.toLowerCase(), id);
      this.#db.exec('COMMIT');
    } catch (err) {
      this.#db.exec('ROLLBACK');
      await unlink(this.#bodyPath(id)).catch(() => undefined);
      throw err;
    }
    this.#entries += 1;
    this.#bytes += cost;
    await this.#unlinkBodies(old);
    await this.#evict();
  }

  /** Delete index rows (adjusting counters); the caller unlinks the bodies. */
  #deleteRows(ids: readonly string[], transaction = true): void {
    if (ids.length === 0) return;
    if (transaction) this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const id of ids) {
        const r = this.#q['costById']!.get(id);
        if (r === undefined) continue;
        this.#q['deleteTags']!.run(id);
        this.#q['deleteById']!.run(id);
        this.#entries -= 1;
        this.#bytes -= Number(r['cost']);
        this.#touches.delete(id);
      }
      if (transaction) this.#db.exec('COMMIT');
    } catch (err) {
      if (transaction) this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  async #unlinkBodies(ids: readonly string[]): Promise<void> {
    await Promise.all(ids.map((id) => unlink(this.#bodyPath(id)).catch(() => undefined)));
  }

  #flushTouches(): void {
    if (this.#touches.size === 0 && this.#keyTouches.size === 0) return;
    this.#db.exec('BEGIN');
    for (const [id, seq] of this.#touches) this.#q['touch']!.run(seq, id);
    for (const [k, seq] of this.#keyTouches) {
      const nul = k.indexOf('\u0000');
      this.#q['touchByKey']!.run(seq, k.slice(0, nul), k.slice(nul + 1));
    }
    this.#db.exec('COMMIT');
    this.#touches.clear();
    this.#keyTouches.clear();
  }

  async #evict(): Promise<void> {
    if (this.#bytes <= this.maxBytes) return;
    this.#flushTouches();
    while (this.#bytes > this.maxBytes && this.#entries > 0) {
      const batch: string[] = [];
      let freed = 0;
      for (const r of this.#q['oldest']!.all()) {
        if (this.#bytes - freed <= this.maxBytes) break;
        batch.push(String(r['id']));
        freed += Number(r['cost']);
      }
      if (batch.length === 0) break;
      this.#deleteRows(batch);
      await this.#unlinkBodies(batch);
    }
  }

  async updateMeta(key: string, variant: string, update: Pick<NewCacheEntry, 'headers' | 'requestTime' | 'responseTime'>): Promise<boolean> {
    if (this.#closed) throw storeClosed();
    const r = this.#q['byKeyVariant']!.get(key, variant);
    const meta = this.#rowMeta(r);
    if (r === undefined || meta === undefined) return false;
    const next: CacheEntryMeta = { ...meta, headers: update.headers, requestTime: update.requestTime, responseTime: update.responseTime };
    const cost = next.size + metaCost(next);
    this.#q['updateMeta']!.run(JSON.stringify(next), cost, String(r['id']));
    this.#bytes += cost - Number(r['cost']);
    await this.#evict();
    return true;
  }

  async delete(key: string, variant?: string): Promise<number> {
    if (this.#closed) throw storeClosed();
    const rows = variant === undefined ? this.#q['byKey']!.all(key) : this.#q['byKeyVariant']!.all(key, variant);
    const ids = rows.map((r) => String(r['id']));
    this.#deleteRows(ids);
    await this.#unlinkBodies(ids);
    return ids.length;
  }

  async purge(sel: PurgeSelector): Promise<number> {
    if (this.#closed) throw storeClosed();
    const ids = new Set<string>();
    const zone = 'zone' in sel ? sel.zone : undefined;
    const take = (rows: Array<Record<string, unknown>>): void => {
      for (const r of rows) if (zone === undefined || r['zone'] === undefined || r['zone'] === zone) ids.add(String(r['id']));
    };
    switch (sel.kind) {
      case 'keys': for (const k of sel.keys) take(this.#q['byKey']!.all(k)); break;
      case 'tags': for (const t of sel.tags) take(this.#q['byTag']!.all(t.toLowerCase())); break;
      case 'hosts': for (const h of sel.hosts) take(this.#q['byHost']!.all(h.toLowerCase())); break;
      case 'prefix':
        for (const raw of sel.prefixes) { const p = normalizePrefix(raw); take(this.#q['byPrefix']!.all(p, `${p}\u{10FFFF}`)); }
        break;
      case 'all': take(zone === undefined ? this.#q['all']!.all() : this.#q['byZone']!.all(zone)); break;
    }
    const list = [...ids];
    this.#deleteRows(list);
    await this.#unlinkBodies(list);
    return list.length;
  }

  async stats(): Promise<CacheStoreStats> {
    return { entries: this.#entries, bytes: this.#bytes };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#flushTouches();
    this.#closed = true;
    this.#db.close();
    await unlink(join(this.#dir, 'lock')).catch(() => undefined);
  }
}
