// kill -9 in the middle of writes never corrupts the config store: every committed change is there, none half.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteConfigStore } from '../../src/state/sqlite/config-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'rampart-crash-'));
const writer = join(dir, 'writer.ts');
writeFileSync(writer, `
import { SqliteConfigStore } from ${JSON.stringify(new URL('../../src/state/sqlite/config-store.ts', import.meta.url).pathname)};
const store = new SqliteConfigStore(process.argv[2]);
let i = 0;
for (;;) {
  // each change writes a zone and three owned docs in one transaction: all four or none must survive
  const id = 'z' + i;
  const v = await store.apply([
    { op: 'put', doc: { kind: 'zone', id, zoneId: null, name: id + '.test', data: { n: i, pad: 'x'.repeat(2000) } } },
    ...[0, 1, 2].map((k) => ({ op: 'put', doc: { kind: 'rule', id: id + '-' + k, zoneId: id, name: null, data: { n: i } } })),
  ]);
  process.stdout.write(v + '\\n');
  i++;
}
`);

for (const delay of [150, 400, 900]) {
  test(`kill -9 after ${delay} ms of writes leaves a consistent store`, async () => {
    const db = join(dir, `c${delay}.db`);
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', writer, db], { stdio: ['ignore', 'pipe', 'inherit'] });
    let last = 0;
    let started!: () => void;
    const first = new Promise<void>((r) => { started = r; });
    child.stdout.on('data', (d: Buffer) => { const lines = d.toString().trim().split('\n'); last = Number(lines[lines.length - 1]); started(); });
    await first; // writes are under way
    await new Promise((r) => setTimeout(r, delay));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    assert.ok(last > 0, 'the writer committed something before the kill');
    const raw = new DatabaseSync(db);
    assert.equal((raw.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
    raw.close();
    const store = new SqliteConfigStore(db);
    const version = await store.version();
    // every acknowledged commit survived; at most one more committed after the last acknowledgement
    assert.ok(version >= last && version <= last + 1, `version ${version}, last acknowledged ${last}`);
    const zones = await store.list('zone');
    const rules = await store.list('rule');
    assert.equal(zones.length, version);
    assert.equal(rules.length, zones.length * 3, 'no transaction was half-applied');
    assert.equal(await store.apply([{ op: 'delete', kind: 'zone', id: 'z0' }]), version + 1, 'the store is writable again');
    await store.close();
  });
}
