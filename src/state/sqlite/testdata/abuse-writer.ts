/** Test helper: writes abuse reports and forwards as fast as it can until killed; prints a line per change. */
import { SqliteAbuseReportStore } from '../abuse-report-store.ts';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: abuse-writer.ts DB');
const s = new SqliteAbuseReportStore({ path });
for (let i = 0; ; i++) {
  const r = await s.create({ zoneId: 'z', zone: 'z.test', host: 'z.test', url: null, category: 'phishing', description: 'x'.repeat(2000 + i), reporterName: null, reporterEmail: null, shareContact: false, created: i });
  process.stdout.write(`c ${r.ticket}\n`);
  await s.addForward(r.ticket, { role: 'owner', to: 'o@z.test', time: i + 1, ok: i % 2 === 0, detail: 'd'.repeat(500) });
  process.stdout.write(`f ${r.ticket}\n`);
}
