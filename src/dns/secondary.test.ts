/**
 * A real Knot DNS secondary transfers our zone (AXFR) and follows a change after our NOTIFY, as a site keeping a
 * second provider would. Skipped when knotd is not installed (Debian package `knot`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDnsSnapshot, sendNotify, startDnsServer } from './index.ts';
import type { DnsServer, DnsSnapshot } from './index.ts';
import { dig, hasDig } from './test-dig.ts';
import { EDGE, shopZone } from './test-fixture.ts';

function hasKnot(): boolean {
  try {
    execFileSync('/usr/sbin/knotd', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const skip = !hasKnot() ? 'knotd is not installed (apt-get install -y knot)' : !hasDig() ? 'dig is not installed' : false;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const p = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(p));
    });
  });
}

/** Poll until `check` passes (bounded number of attempts, no timing assertion). */
async function eventually(check: () => Promise<boolean>, what: () => string, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`never happened: ${what()}`);
}

test('Knot secondary: AXFR from us, then NOTIFY brings the change', { skip }, async (t) => {
  let snapshot: DnsSnapshot = buildDnsSnapshot([shopZone()], EDGE);
  let server: DnsServer | undefined;
  let knot: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'rampart-knot-'));
  let knotLog = '';
  t.after(async () => {
    // wait for knotd to exit before removing its folder (it writes there until it has stopped)
    const k = knot;
    if (k && k.exitCode === null && k.signalCode === null) await new Promise((r) => { k.once('exit', r); k.kill('SIGTERM'); setTimeout(r, 5000).unref(); });
    await server?.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });
  server = await startDnsServer({ getSnapshot: () => snapshot, axfrAllow: ['127.0.0.1'] });
  const kport = await freePort();
  writeFileSync(join(dir, 'knot.conf'), `server:
    rundir: "${dir}"
    listen: 127.0.0.1@${kport}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "${dir}"
log:
  - target: stderr
    any: info
remote:
  - id: rampart
    address: 127.0.0.1@${server.tcpPort}
acl:
  - id: notify_from_rampart
    address: 127.0.0.1
    action: notify
template:
  - id: default
    storage: "${dir}"
    zonefile-sync: -1
    zonefile-load: none
    journal-content: none
zone:
  - domain: shop.test
    master: rampart
    acl: notify_from_rampart
`);
  knot = spawn('/usr/sbin/knotd', ['-c', join(dir, 'knot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  knot.stderr?.on('data', (c: Buffer) => { knotLog += c.toString(); });
  const serialAtKnot = async (): Promise<string | undefined> => {
    const r = await dig(kport, ['+time=1', 'shop.test', 'SOA']);
    return r.answers[0]?.[6];
  };
  await eventually(async () => (await serialAtKnot()) === '2026112501', () => `Knot transferred the zone\n${knotLog}`);
  const www = await dig(kport, ['www.shop.test', 'A']);
  assert.deepEqual(www.answers.map((a) => a[4]).sort(), ['192.0.2.1', '192.0.2.2'], 'the secondary serves the edge addresses');
  assert.ok(server.stats().axfrServed >= 1, 'served a transfer');

  const z = shopZone();
  z.records.push({ id: 'n', type: 'A', name: 'later', content: '192.0.2.222' });
  snapshot = buildDnsSnapshot([{ ...z, serial: 2026112502 }], EDGE);
  const res = await sendNotify('shop.test', 2026112502, [`127.0.0.1:${kport}`]);
  assert.equal(res[0]?.ok, true, JSON.stringify(res));
  await eventually(async () => (await serialAtKnot()) === '2026112502', () => `Knot followed the NOTIFY\n${knotLog}`);
  const later = await dig(kport, ['later.shop.test', 'A']);
  assert.deepEqual(later.answers.map((a) => a[4]), ['192.0.2.222']);
  assert.ok(server.stats().axfrServed >= 2, 'the change came by a second transfer');
});
