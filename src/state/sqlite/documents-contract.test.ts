/** The ConfigStore, AuditLog and SecurityEventStore contract suites against the SQLite adapters, on temp files. */
import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { auditLogContract, configStoreContract, securityEventStoreContract } from '../contract/index.ts';
import { SqliteConfigStore } from './config-store.ts';
import { SqliteAuditLog } from './audit-log.ts';
import { SqliteSecurityEventStore } from './security-events.ts';

const dir = mkdtempSync(join(tmpdir(), 'rampart-docs-contract-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (name: string): string => join(dir, `${name}-${++n}.db`);

configStoreContract('sqlite', async () => {
  const path = freshPath('config');
  const store = new SqliteConfigStore(path);
  const peer = new SqliteConfigStore(path);
  return { store, peer, close: async () => { await store.close(); await peer.close(); } };
});

auditLogContract('sqlite', async () => {
  const path = freshPath('audit');
  const log = new SqliteAuditLog(path);
  const peer = new SqliteAuditLog(path);
  const raw = (sql: string, seq: number): Promise<unknown> => {
    const db = new DatabaseSync(path);
    try {
      return Promise.resolve(db.prepare(sql).run(seq));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    } finally {
      db.close();
    }
  };
  return {
    log,
    peer,
    tamper: {
      update: (seq) => raw("UPDATE audit_log SET actor = 'mallory' WHERE seq = ?", seq),
      delete: (seq) => raw('DELETE FROM audit_log WHERE seq = ?', seq),
    },
    close: async () => { await log.close(); await peer.close(); },
  };
});

securityEventStoreContract('sqlite', async () => {
  const store = new SqliteSecurityEventStore(freshPath('events'));
  return { store, close: () => store.close() };
});
