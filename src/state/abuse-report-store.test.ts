/** AbuseReportStore: the contract on memory and SQLite, SQLite durability (reopen, SIGKILL mid-write). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { abuseReportStoreContract } from './contract/abuse-report-store-contract.ts';
import { MemoryAbuseReportStore } from './memory/memory-abuse-report-store.ts';
import { SqliteAbuseReportStore } from './sqlite/abuse-report-store.ts';
import { newAbuseTicket, normaliseTicket, TICKET_RE } from './abuse-ticket.ts';
import { systemRandom } from '../lib/clock.ts';

const dir = mkdtempSync(join(tmpdir(), 'rampart-abuse-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

abuseReportStoreContract('memory', async (random) => {
  const store = new MemoryAbuseReportStore(random ? { random } : {});
  return { store, close: () => store.close() };
});

abuseReportStoreContract('sqlite', async (random) => {
  const store = new SqliteAbuseReportStore({ path: join(dir, `c${n++}.db`), ...(random ? { random } : {}) });
  return { store, close: () => store.close() };
});

describe('abuse tickets', () => {
  it('are AR- + 13 Crockford base32 characters from 64 bits, and read back leniently', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) { const t = newAbuseTicket(systemRandom); assert.match(t, TICKET_RE); seen.add(t); }
    assert.equal(seen.size, 200);
    assert.equal(newAbuseTicket({ bytes: () => Buffer.alloc(8, 0xff) }), 'AR-FZZZZZZZZZZZZ');
    assert.equal(normaliseTicket(' ar-fzzzzzzzzzzzz '), 'AR-FZZZZZZZZZZZZ');
    assert.equal(normaliseTicket('AR-0OIL000000000'), 'AR-0011000000000');
    assert.equal(normaliseTicket('FZZZZZZZZZZZZ'), 'AR-FZZZZZZZZZZZZ');
    assert.equal(normaliseTicket('AR-FZZZ'), undefined);
    assert.equal(normaliseTicket('../../etc/passwd'), undefined);
  });
});

describe('SqliteAbuseReportStore durability', () => {
  it('keeps reports across a reopen', async () => {
    const path = join(dir, 'reopen.db');
    const a = new SqliteAbuseReportStore({ path });
    const r = await a.create({ zoneId: 'z', zone: 'z.test', host: 'z.test', url: null, category: 'malware', description: 'd', reporterName: null, reporterEmail: null, shareContact: false, created: 1 });
    await a.addForward(r.ticket, { role: 'owner', to: 'o@z.test', time: 2, ok: true, detail: 'sent' });
    await a.close();
    const b = new SqliteAbuseReportStore({ path });
    const got = await b.get(r.ticket);
    assert.equal(got?.status, 'forwarded');
    assert.equal(got?.forwards.length, 1);
    await b.close();
  });

  it('a writer killed mid-stream leaves every report whole (columns agree with the JSON)', async () => {
    const path = join(dir, 'killed.db');
    const script = fileURLToPath(new URL('./sqlite/testdata/abuse-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    // kill it once it has written a good number of changes
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; if (out.split('\n').length > 40) { child.kill('SIGKILL'); resolve(); } });
      child.on('exit', () => resolve());
      child.on('error', reject);
    });
    await new Promise((r) => { if (child.exitCode !== null || child.signalCode !== null) r(undefined); else child.once('exit', r); });
    const s = new SqliteAbuseReportStore({ path });
    const all = await s.list({ limit: 1000 });
    assert.ok(all.length >= 10, `reports written before the kill: ${all.length}`);
    for (const r of all) {
      assert.match(r.ticket, TICKET_RE);
      assert.equal(r.history[0]?.status, 'received');
      assert.equal(r.forwardedAt === null, !r.forwards.some((f) => f.ok));
      assert.deepEqual(await s.list({ status: r.status, limit: 1000 }).then((l) => l.some((x) => x.ticket === r.ticket)), true, 'status column agrees with the JSON');
    }
    // and it takes writes again
    const more = await s.create({ zoneId: 'z', zone: 'z.test', host: 'z.test', url: null, category: 'other', description: 'after', reporterName: null, reporterEmail: null, shareContact: false, created: 5 });
    assert.equal((await s.get(more.ticket))?.description, 'after');
    await s.close();
  });
});
