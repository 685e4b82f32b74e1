import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { analyticsStoreContract } from '../contract/index.ts';
import { SqliteAnalyticsStore } from './analytics-store.ts';
import { openSqlite } from './open-sqlite.ts';
import { deltaFromSamples } from '../../analytics/bucket.ts';

const dir = mkdtempSync(join(tmpdir(), 'rampart-analytics-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

analyticsStoreContract('sqlite (two connections on one file)', async () => {
  const path = join(dir, `analytics-${n++}.db`);
  const store = new SqliteAnalyticsStore({ path });
  const peerDb = openSqlite(path);
  const peer = new SqliteAnalyticsStore({ db: peerDb });
  return { store, peer, close: async () => { await store.close(); await peer.close(); peerDb.close(); } };
});

describe('SqliteAnalyticsStore across processes', () => {
  it('several worker processes adding to the same rows of one file lose nothing', async () => {
    const path = join(dir, 'multi.db');
    const T = Date.UTC(2026, 0, 10);
    // each child adds 40 flushes: one row for a shared minute, one for its own minute, each flush a transaction
    const code = `
      const { SqliteAnalyticsStore } = await import(${JSON.stringify(join(import.meta.dirname, 'analytics-store.ts'))});
      const { deltaFromSamples } = await import(${JSON.stringify(join(import.meta.dirname, '..', '..', 'analytics', 'bucket.ts'))});
      const me = Number(process.argv[1]);
      const store = new SqliteAnalyticsStore({ path: ${JSON.stringify(path)} });
      const s = (i) => ({ zoneId: 'z', time: ${T}, status: 200, bytesOut: 1, cached: false, pageview: false, threat: null,
        clientIp: '10.' + me + '.0.' + i, path: '/' + me, country: null, asn: null, userAgent: '' });
      for (let i = 0; i < 40; i++) {
        await store.add([deltaFromSamples('z', ${T}, [s(i)]), deltaFromSamples('z', ${T} + 60000 * (me + 1), [s(i), s(i)])]);
      }
      await store.close();
    `;
    // the primary creates the file before forking its workers, as main.ts does (a fresh file switched to WAL by
    // several processes at once can fail with SQLITE_BUSY in openSqlite's PRAGMA journal_mode)
    await new SqliteAnalyticsStore({ path }).close();
    const children = [0, 1, 2].map((me) => new Promise<number | null>((resolve, reject) => {
      const c = spawn(process.execPath, ['--input-type=module', '-e', code, String(me)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      c.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      c.on('error', reject);
      c.on('exit', (status) => (status === 0 ? resolve(status) : reject(new Error(`child ${me} exited ${status}: ${err}`))));
    }));
    assert.deepEqual(await Promise.all(children), [0, 0, 0]);
    const store = new SqliteAnalyticsStore({ path });
    try {
      const s = await store.query({ zoneId: 'z', since: T, until: T + 3_600_000 });
      assert.deepEqual(s.points.map((p) => [p.since - T, p.requests]), [[0, 120], [60_000, 80], [120_000, 80], [180_000, 80]]);
      assert.ok(Math.abs(s.totals.uniques - 120) <= 3, `uniques ${s.totals.uniques}`);
      assert.deepEqual(s.top.paths.map((e) => [e.key, e.count]).sort(), [['/0', 120], ['/1', 120], ['/2', 120]]);
    } finally { await store.close(); }
  });
});

describe('SqliteAnalyticsStore compaction', () => {
  it('add appends; rollup leaves one row per bucket, including deltas added between two rollups', async () => {
    const path = join(dir, 'compact.db');
    const store = new SqliteAnalyticsStore({ path });
    const db = openSqlite(path);
    const T = Date.UTC(2026, 0, 10);
    const rows = () => (db.prepare('SELECT count(*) AS n FROM analytics_rows').get() as { n: number }).n;
    const d = (t: number, ip: string) => deltaFromSamples('z', t, [{ zoneId: 'z', time: t, status: 200, bytesOut: 1, cached: false, pageview: false, threat: null, clientIp: ip, path: '/', country: null, asn: null, userAgent: '' }]);
    try {
      for (let i = 0; i < 5; i++) await store.add([d(T, `10.0.0.${i}`), d(T + 60_000, '10.0.1.1')]);
      assert.equal(rows(), 10);
      assert.equal(await store.rollup(T + 3_600_000), 0);
      assert.equal(rows(), 2);
      await store.add([d(T, '10.0.0.99')]);
      assert.equal(rows(), 3);
      await store.rollup(T + 3_600_000);
      assert.equal(rows(), 2);
      const s = await store.query({ zoneId: 'z', since: T, until: T + 120_000 });
      assert.deepEqual(s.points.map((p) => p.requests), [6, 5]);
      assert.equal(s.totals.uniques, 7);
      // a day later both minutes become one hourly row
      assert.equal(await store.rollup(T + 26 * 3_600_000), 2);
      assert.equal(rows(), 1);
      assert.equal((await store.query({ zoneId: 'z', since: T, until: T + 3_600_000 })).totals.requests, 11);
    } finally { db.close(); await store.close(); }
  });
});
