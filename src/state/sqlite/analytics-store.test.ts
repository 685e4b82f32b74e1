import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { analyticsStoreContract } from '../contract/index.ts';
import { SqliteAnalyticsStore } from './analytics-store.ts';
import { openSqlite } from './open-sqlite.ts';

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
