/**
 * The PostgreSQL adapters against a real server started by testing.ts (skipped when the binaries are absent):
 * the three contract suites (with peer instances on their own pools), migrations racing, the LISTEN/NOTIFY
 * watcher across a server restart, and the failure mode (unreachable → `config.unavailable`, then recovery).
 * Each test gets a fresh database; the restart tests use a second server so the contracts never see it go down.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { analyticsStoreContract, auditLogContract, configStoreContract, securityEventStoreContract, waitFor } from '../contract/index.ts';
import {
  PgDatabase, PostgresAnalyticsStore, PostgresAuditLog, PostgresConfigStore, PostgresSecurityEventStore, StoreUnavailableError,
  createPostgresStores, isUnavailable, migrate, MIGRATIONS, redactUrl, watchConfig,
} from './index.ts';
import { findPostgresBin, freshDatabase, startPostgresServer } from './testing.ts';
import type { TestPostgres } from './testing.ts';

const available = findPostgresBin() !== undefined;
const server: TestPostgres | undefined = available ? await startPostgresServer() : undefined;
after(async () => { await server?.dispose(); });

function mainUrl(): string {
  if (server === undefined) throw new Error('no server');
  return server.url;
}

async function migratedDb(): Promise<{ url: string; db: PgDatabase }> {
  const url = await freshDatabase(mainUrl());
  const db = new PgDatabase({ url, poolSize: 4 });
  await migrate(db);
  return { url, db };
}

const unavailable = (e: unknown): boolean =>
  e instanceof StoreUnavailableError && e.code === 'config.unavailable' && e.message.startsWith('the configuration database is unreachable: ');

if (!available) {
  describe('postgres adapters', () => { it('skipped: no PostgreSQL binaries under /usr/lib/postgresql/*/bin', { skip: true }, () => {}); });
} else {
  configStoreContract('postgres', async () => {
    const { url, db } = await migratedDb();
    const db2 = new PgDatabase({ url, poolSize: 4 });
    const store = new PostgresConfigStore({ db, ownsDb: true });
    const peer = new PostgresConfigStore({ db: db2, ownsDb: true });
    return { store, peer, close: async () => { await store.close(); await peer.close(); } };
  });

  auditLogContract('postgres', async () => {
    const { url, db } = await migratedDb();
    const db2 = new PgDatabase({ url, poolSize: 4 });
    const log = new PostgresAuditLog({ db, ownsDb: true });
    const peer = new PostgresAuditLog({ db: db2, ownsDb: true });
    return {
      log,
      peer,
      tamper: {
        update: (seq) => db2.query("UPDATE audit_log SET actor = 'mallory' WHERE seq = $1", [seq]),
        delete: (seq) => db2.query('DELETE FROM audit_log WHERE seq = $1', [seq]),
      },
      close: async () => { await log.close(); await peer.close(); },
    };
  });

  securityEventStoreContract('postgres', async () => {
    const { db } = await migratedDb();
    const store = new PostgresSecurityEventStore({ db, ownsDb: true });
    return { store, close: () => store.close() };
  });

  analyticsStoreContract('postgres', async () => {
    const { url, db } = await migratedDb();
    const db2 = new PgDatabase({ url, poolSize: 4 });
    const store = new PostgresAnalyticsStore({ db, ownsDb: true });
    const peer = new PostgresAnalyticsStore({ db: db2, ownsDb: true });
    return { store, peer, close: async () => { await store.close(); await peer.close(); } };
  });

  describe('postgres specifics', () => {
    it('migrations: two nodes starting together apply each one once; a second run does nothing', async () => {
      const url = await freshDatabase(mainUrl());
      const a = new PgDatabase({ url });
      const b = new PgDatabase({ url });
      try {
        const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
        const all = MIGRATIONS.map((_, i) => i + 1);
        assert.deepEqual([...ra, ...rb].sort((x, y) => x - y), all);
        assert.deepEqual(await migrate(a), []);
        const rows = await a.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
        assert.deepEqual(rows.map((r) => [r.version, r.name]).slice(0, 4), [[1, 'config'], [2, 'audit_log'], [3, 'security_events'], [4, 'analytics_rows']]);
        assert.deepEqual(rows.map((r) => r.name), MIGRATIONS.map((m) => m.name));
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('the audit log refuses TRUNCATE too', async () => {
      const { db } = await migratedDb();
      try {
        const log = new PostgresAuditLog({ db });
        await log.append({ time: '2026-01-01T00:00:00.000Z', actor: 'a', method: 'POST', path: '/x', zone: null, status: 200, detail: {} });
        await assert.rejects(db.query('TRUNCATE audit_log'), /append-only/);
        assert.equal(await log.count(), 1);
      } finally {
        await db.close();
      }
    });

    it('security events: a NUL in a string field is stored as U+FFFD instead of failing the batch', async () => {
      const { db } = await migratedDb();
      try {
        const events = new PostgresSecurityEventStore({ db });
        await events.append([{ ray: 'r1', zoneId: 'z1', time: 1, clientIp: '192.0.2.1', method: 'GET', host: 'a.example', path: '/a\u0000b', query: '', userAgent: 'x', action: 'block', source: 'waf', ruleId: null, reason: 'waf.block', status: 403, details: { raw: '\u0000' } }]);
        const [got] = await events.query({ zoneId: 'z1' });
        assert.equal(got?.path, '/a\uFFFDb');
        assert.deepEqual(got?.details, { raw: '\u0000' });
      } finally {
        await db.close();
      }
    });

    it('createPostgresStores shares one pool and migrates once', async () => {
      const url = await freshDatabase(mainUrl());
      const stores = await createPostgresStores({ url, poolSize: 3 });
      try {
        assert.equal(await stores.config.apply([{ op: 'put', doc: { kind: 'zone', id: 'z1', zoneId: null, name: 'a.example', data: {} } }]), 1);
        assert.equal((await stores.audit.append({ time: '2026-01-01T00:00:00.000Z', actor: 'a', method: 'POST', path: '/zones', zone: 'a.example', status: 200, detail: null })).seq, 1);
        await stores.events.append([]);
        assert.equal((await stores.analytics.query({ zoneId: 'z1', since: 0, until: 1 })).totals.requests, 0);
        await stores.config.close(); // the stores leave the shared pool open
        assert.equal(await stores.config.version(), 1);
        const again = await createPostgresStores({ url });
        assert.equal(await again.config.version(), 1);
        await again.close();
      } finally {
        await stores.close();
      }
    });

    it('errors: passwords are redacted and only connectivity failures count as unavailable', () => {
      assert.equal(redactUrl('postgres://rampart:s3cret@db.example:5432/rampart'), 'postgres://rampart:***@db.example:5432/rampart');
      assert.equal(redactUrl('postgres://rampart@db.example/rampart'), 'postgres://rampart@db.example/rampart');
      assert.equal(redactUrl('see postgres://u:p/a#s?s@w@h:1/db now'), 'see postgres://u:***@h:1/db now');
      assert.throws(() => new PgDatabase({ url: 'postgres://u:hunter2@[bad' }), (err: Error) => err instanceof TypeError && !err.message.includes('hunter2'));
      const e = new StoreUnavailableError('failed for postgresql://u:hunter2@h/db and password=hunter2');
      assert.doesNotMatch(e.message, /hunter2/);
      assert.equal(e.code, 'config.unavailable');
      const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });
      assert.equal(isUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED')), true);
      assert.equal(isUnavailable(withCode('terminating connection due to administrator command', '57P01')), true);
      assert.equal(isUnavailable(withCode('could not connect', '08006')), true);
      assert.equal(isUnavailable(new Error('Connection terminated unexpectedly')), true);
      assert.equal(isUnavailable(withCode('duplicate key value violates unique constraint', '23505')), false);
      assert.equal(isUnavailable(withCode('syntax error', '42601')), false);
      assert.equal(isUnavailable(new Error('boom')), false);
    });

    it('a server that accepts but never answers: calls reject after connectionTimeoutMillis with config.unavailable', async () => {
      const sockets = new Set<Socket>();
      const silent: Server = createServer((s) => { sockets.add(s); s.on('error', () => {}); });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const addr = silent.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      const db = new PgDatabase({ url: `postgres://rampart:s3cret@127.0.0.1:${port}/x`, connectionTimeoutMillis: 300 });
      try {
        const store = new PostgresConfigStore({ db });
        await assert.rejects(store.version(), (e: unknown) => unavailable(e) && !(e as Error).message.includes('s3cret'));
        await assert.rejects(store.apply([]), unavailable);
        await assert.rejects(createPostgresStores({ url: `postgres://rampart:s3cret@127.0.0.1:${port}/x`, connectionTimeoutMillis: 300 }), unavailable);
      } finally {
        await db.close();
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });
  });

  describe('postgres down and back (a second server)', () => {
    let other: TestPostgres;
    before(async () => { other = await startPostgresServer(); });
    after(async () => { await other.dispose(); });

    it('when the server is down every call rejects with config.unavailable; once back, the same instances work', async () => {
      const url = await freshDatabase(other.url);
      const withPassword = url.replace('rampart@', 'rampart:s3cret@'); // trust auth ignores it; it must never show
      const stores = await createPostgresStores({ url: withPassword, poolSize: 3 });
      try {
        const zone = { op: 'put' as const, doc: { kind: 'zone', id: 'z1', zoneId: null, name: 'a.example', data: { v: 1 } } };
        assert.equal(await stores.config.apply([zone]), 1);
        await other.stop();
        const down = (e: unknown): boolean => unavailable(e) && !(e as Error).message.includes('s3cret');
        await assert.rejects(stores.config.apply([zone]), down);
        await assert.rejects(stores.config.snapshot(), down);
        await assert.rejects(stores.config.version(), down);
        await assert.rejects(stores.config.list(), down);
        await assert.rejects(stores.audit.append({ time: '2026-01-01T00:00:00.000Z', actor: 'a', method: 'POST', path: '/x', zone: null, status: 200, detail: {} }), down);
        await assert.rejects(stores.audit.list(), down);
        await assert.rejects(stores.events.query({ zoneId: 'z1' }), down);
        await assert.rejects(stores.events.append([{ ray: 'r', zoneId: 'z1', time: 1, clientIp: '192.0.2.1', method: 'GET', host: 'h', path: '/', query: '', userAgent: '', action: 'block', source: 'waf', ruleId: null, reason: 'x', status: 403, details: null }]), down);
        await other.restart();
        assert.equal(await stores.config.apply([{ op: 'put', doc: { ...zone.doc, data: { v: 2 } } }]), 2);
        const snap = await stores.config.snapshot();
        assert.equal(snap.version, 2);
        assert.deepEqual(snap.docs.map((d) => d.data), [{ v: 2 }]);
        assert.equal((await stores.audit.append({ time: '2026-01-01T00:00:00.000Z', actor: 'a', method: 'POST', path: '/x', zone: null, status: 200, detail: {} })).seq, 1);
        assert.deepEqual(await stores.events.query({ zoneId: 'z1' }), []);
      } finally {
        await stores.close();
      }
    });

    it('the watcher gets each committed version, reconnects after a restart and calls onReconnect', async () => {
      const url = await freshDatabase(other.url);
      const stores = await createPostgresStores({ url });
      const versions: number[] = [];
      let reconnects = 0;
      const errors: Error[] = [];
      const watch = watchConfig({ url, onVersion: (v) => versions.push(v), onReconnect: () => { reconnects++; }, onError: (e) => errors.push(e) });
      try {
        await watch.ready;
        assert.equal(await stores.config.apply([{ op: 'put', doc: { kind: 'zone', id: 'z1', zoneId: null, name: 'a.example', data: {} } }]), 1);
        await waitFor(() => versions.length >= 1, 'the first notification');
        // A rolled-back apply announces nothing.
        await assert.rejects(stores.config.apply([{ op: 'put', doc: { kind: 'zone', id: 'z2', zoneId: null, name: 'a.example', data: {} } }]));
        assert.equal(await stores.config.apply([]), 2);
        await waitFor(() => versions.length >= 2, 'the second notification');
        assert.deepEqual(versions, [1, 2]);
        assert.equal(reconnects, 0);

        await other.stop();
        await waitFor(() => errors.length > 0, 'the watcher to notice', 10_000);
        assert.ok(errors.every((e) => (e as { code?: unknown }).code === 'config.unavailable'), errors.map((e) => e.message).join('; '));
        await other.restart();
        await waitFor(() => reconnects === 1, 'onReconnect', 10_000);
        assert.equal(await stores.config.apply([]), 3);
        await waitFor(() => versions.length >= 3, 'a notification after the restart');
        assert.deepEqual(versions, [1, 2, 3]);
        assert.equal(reconnects, 1);
      } finally {
        await watch.close();
        await stores.close();
      }
    });

    it('the watcher retries while the server is down (one error per outage) and close() stops it even then', async () => {
      const url = await freshDatabase(other.url);
      await other.stop();
      let reconnects = 0;
      const versions: number[] = [];
      const errors: Error[] = [];
      const watch = watchConfig({ url, onVersion: (v) => versions.push(v), onReconnect: () => { reconnects++; }, onError: (e) => errors.push(e) });
      let closed = false;
      try {
        await waitFor(() => errors.length === 1, 'the first failure', 10_000);
        await other.restart();
        await watch.ready;
        await waitFor(() => reconnects === 1, 'onReconnect after a first LISTEN that needed retries', 10_000);
        assert.equal(errors.length, 1, 'the retries of one outage are reported once');
        const stores = await createPostgresStores({ url });
        try {
          assert.equal(await stores.config.apply([]), 1);
          await waitFor(() => versions.length === 1, 'the notification');
        } finally {
          await stores.close();
        }
        await other.stop();
        await waitFor(() => errors.length === 2, 'the second outage', 10_000);
        await watch.close(); // resolves although the server is down and the watcher is retrying
        closed = true;
        await other.restart();
        const db = new PgDatabase({ url });
        try {
          const rows = await db.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'rampart-config-watch'");
          assert.equal(Number(rows[0]?.n), 0, 'no connection after close()');
        } finally {
          await db.close();
        }
        assert.equal(reconnects, 1);
        assert.equal(errors.length, 2);
      } finally {
        if (!closed) await watch.close();
      }
    });
  });
}
