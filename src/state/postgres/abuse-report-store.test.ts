/** PostgresAbuseReportStore against a real server (skipped when PostgreSQL is not installed): the shared contract. */
import { after, describe, it } from 'node:test';
import { abuseReportStoreContract } from '../contract/abuse-report-store-contract.ts';
import { PgDatabase } from './database.ts';
import { migrate } from './migrate.ts';
import { PostgresAbuseReportStore } from './abuse-report-store.ts';
import { findPostgresBin, freshDatabase, startPostgresServer } from './testing.ts';

const available = findPostgresBin() !== undefined;
const server = available ? await startPostgresServer() : undefined;
after(async () => { await server?.dispose(); });

if (server === undefined) {
  describe('postgres abuse reports', () => { it('skipped: no PostgreSQL binaries under /usr/lib/postgresql/*/bin', { skip: true }, () => {}); });
} else {
  abuseReportStoreContract('postgres', async (random) => {
    const db = new PgDatabase({ url: await freshDatabase(server.url), poolSize: 4 });
    await migrate(db);
    const store = new PostgresAbuseReportStore({ db, ownsDb: true, ...(random ? { random } : {}) });
    return { store, close: () => store.close() };
  });
}
