/**
 * Onboarding: a zone added through the API is pending until a real parent (Knot, playing the `test.` registry on
 * loopback) delegates it to our nameservers; it turns active, and is flagged `moved` when the delegation changes.
 * High-traffic sign-ups go to the operator's review queue, shielded meanwhile; a denial must name an operational
 * reason and is kept for the transparency report.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';

const hasKnot = ((): boolean => { try { execFileSync('/usr/sbin/knotd', ['-V'], { stdio: 'ignore' }); return true; } catch { return false; } })();
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

describe('zone activation against a real parent zone (Knot)', { skip: hasKnot ? false : 'knotd is not installed (apt-get install -y knot)' }, () => {
  let dir: string;
  let kport: number;
  let knot: ChildProcess | undefined;
  let node: TestNode;
  let serial = 1;

  /** (Re)start Knot serving `test.` with these NS records for shop.test (none: not delegated). */
  async function parent(ns: string[]): Promise<void> {
    if (knot && knot.exitCode === null && knot.signalCode === null) { const k = knot; await new Promise((r) => { k.once('exit', r); k.kill('SIGTERM'); setTimeout(r, 5000).unref(); }); }
    writeFileSync(join(dir, 'test.zone'), [
      '$ORIGIN test.', `@ 3600 IN SOA ns.test. admin.test. ${serial++} 3600 900 604800 300`, '@ 3600 IN NS ns.test.', 'ns 3600 IN A 127.0.0.1',
      ...ns.map((n) => `shop 3600 IN NS ${n}.`), '',
    ].join('\n'));
    knot = spawn('/usr/sbin/knotd', ['-c', join(dir, 'knot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    // ready when it answers
    for (let i = 0; i < 100; i++) {
      try { execFileSync('dig', ['+short', '+time=1', '+tries=1', '-p', String(kport), '@127.0.0.1', 'test.', 'SOA'], { stdio: 'pipe' }); break; } catch { await new Promise((r) => setTimeout(r, 50)); }
    }
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-parent-'));
    kport = await freePort();
    writeFileSync(join(dir, 'knot.conf'), `server:\n    rundir: "${dir}"\n    listen: 127.0.0.1@${kport}\n    udp-workers: 1\n    tcp-workers: 1\n    background-workers: 1\ndatabase:\n    storage: "${dir}"\nlog:\n  - target: stderr\n    any: error\nzone:\n  - domain: test\n    file: "${join(dir, 'test.zone')}"\n    zonefile-load: whole\n    journal-content: none\n  - domain: scan.example\n    file: "${join(dir, 'scan.zone')}"\n    zonefile-load: whole\n    journal-content: none\n`);
    // the records a site has at its current provider, for the sign-up scan
    writeFileSync(join(dir, 'scan.zone'), ['$ORIGIN scan.example.', '@ 3600 IN SOA ns.scan.example. admin.scan.example. 1 3600 900 604800 300', '@ 3600 IN NS ns.scan.example.',
      '@ 300 IN A 198.51.100.10', '@ 300 IN MX 10 mail.scan.example.', '@ 300 IN TXT "v=spf1 mx -all"', 'www 300 IN A 198.51.100.11', 'mail 300 IN A 198.51.100.12',
      'blog 300 IN CNAME hosting.example.net.', 'api 300 IN AAAA 2001:db8::12', ''].join('\n'));
    await parent([]);
    process.env['RAMPART_ACTIVATION_RESOLVER'] = `127.0.0.1:${kport}`;
    process.env['RAMPART_NAMESERVERS'] = 'ns1.rampart.test,ns2.rampart.test';
    process.env['RAMPART_REVIEW_RPS'] = '10000';
    process.env['RAMPART_SCAN_RESOLVER'] = `127.0.0.1:${kport}`;
    node = await startTestNode();
    for (const k of ['RAMPART_ACTIVATION_RESOLVER', 'RAMPART_NAMESERVERS', 'RAMPART_REVIEW_RPS', 'RAMPART_SCAN_RESOLVER']) delete process.env[k];
  });
  after(async () => {
    await node?.stop();
    if (knot && knot.exitCode === null && knot.signalCode === null) { const k = knot; await new Promise((r) => { k.once('exit', r); k.kill('SIGTERM'); setTimeout(r, 5000).unref(); }); }
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });

  it('pending → active when delegated to us → moved when delegated elsewhere → active again', async () => {
    const z = await node.api<{ id: string; status: string; name_servers: string[] }>('POST', '/client/v4/zones', { name: 'shop.test', origins: ['127.0.0.1:9'] });
    assert.equal(z.status, 200, JSON.stringify(z.json.errors));
    assert.equal(z.json.result.status, 'pending');
    assert.deepEqual(z.json.result.name_servers, ['ns1.rampart.test', 'ns2.rampart.test']);
    const check = async (): Promise<{ status: string; seen: string[] }> => (await node.api<{ status: string; seen: string[] }>('PUT', `/client/v4/zones/${z.json.result.id}/activation_check`)).json.result;
    assert.deepEqual(await check(), { zone: 'shop.test', status: 'pending', seen: [], changed: false });
    await parent(['ns1.rampart.test', 'ns2.rampart.test']);
    const a = await check();
    assert.equal(a.status, 'active');
    assert.deepEqual(a.seen, ['ns1.rampart.test', 'ns2.rampart.test']);
    assert.equal((await node.api<{ status: string }>('GET', `/client/v4/zones/${z.json.result.id}`)).json.result.status, 'active');
    await parent(['ns1.other-dns.example', 'ns2.other-dns.example']);
    assert.equal((await check()).status, 'moved', 'a zone moved away is flagged, not deleted');
    assert.equal((await node.api('GET', `/client/v4/zones/${z.json.result.id}`)).status, 200);
    await parent(['ns2.rampart.test', 'ns1.rampart.test']);
    assert.equal((await check()).status, 'active');
  });

  it('adding a zone imports the records it has today (scan of the apex and common names)', async () => {
    const z = await node.api<{ id: string; dns_scan: { found: number; imported: number } }>('POST', '/client/v4/zones', { name: 'scan.example', origins: ['127.0.0.1:9'] });
    assert.equal(z.status, 200, JSON.stringify(z.json.errors));
    assert.deepEqual(z.json.result.dns_scan, { found: 7, imported: 7 });
    const recs = await node.api<Array<{ type: string; name: string; content: string; proxied: boolean; priority?: number }>>('GET', `/client/v4/zones/${z.json.result.id}/dns_records?per_page=100`);
    const got = recs.json.result.map((r) => `${r.type} ${r.name} ${r.content}${r.priority !== undefined ? ' ' + r.priority : ''}`).sort();
    assert.deepEqual(got, ['A @ 198.51.100.10', 'A mail 198.51.100.12', 'A www 198.51.100.11', 'AAAA api 2001:db8::12',
      'CNAME blog hosting.example.net', 'MX @ mail.scan.example 10', 'TXT @ v=spf1 mx -all'].sort());
    assert.ok(recs.json.result.every((r) => r.proxied === false), 'imported unproxied: the owner chooses what to proxy');
    const off = await node.api<{ dns_scan?: unknown }>('POST', '/client/v4/zones', { name: 'noscan.example', origins: ['127.0.0.1:9'], scan: false });
    assert.equal(off.json.result.dns_scan, undefined, 'scan: false skips it');
  });

  it('a high-traffic sign-up waits for review, shielded; a denial needs an operational reason and is recorded', async () => {
    const big = await node.api<{ id: string; status: string; settings: { security_level: string }; review: { capacity_cores: number } }>('POST', '/client/v4/zones', { name: 'big.test', origins: ['127.0.0.1:9'], expected_rps: 100_000 });
    assert.equal(big.json.result.status, 'pending_review');
    assert.equal(big.json.result.settings.security_level, 'under_attack', 'shielded while it waits');
    assert.equal(big.json.result.review.capacity_cores, 34);
    const attacked = await node.api<{ id: string; status: string }>('POST', '/client/v4/zones', { name: 'hit.test', origins: ['127.0.0.1:9'], under_attack: true });
    assert.equal(attacked.json.result.status, 'pending_review');
    const small = await node.api<{ status: string }>('POST', '/client/v4/zones', { name: 'small.test', origins: ['127.0.0.1:9'], expected_rps: 50 });
    assert.equal(small.json.result.status, 'pending', 'below the threshold: no review');
    // the node runs in this process: the CLI must run asynchronously
    const cli = (args: string[]): Promise<{ status: number; out: string }> => new Promise((resolve) => {
      const p = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, ...args], { env: { ...process.env, RAMPART_API: `http://127.0.0.1:${node.adminPort}`, RAMPART_ADMIN_TOKEN: node.adminToken } });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { out += d; });
      p.on('close', (code) => resolve({ status: code ?? -1, out }));
    });
    const list = await cli(['review', 'list']);
    assert.match(list.out, /big\.test {2}expected 100000 req\/s {2}needs 34 edge core/);
    assert.match(list.out, /hit\.test {2}expected 0 req\/s, under attack now/);
    for (const reason of ['politics', 'content', 'copyright']) {
      const r = await node.api('POST', '/client/v4/reviews/big.test/deny', { reason });
      assert.equal(r.status, 400);
      assert.match(JSON.stringify(r.json.errors), /capacity, verification_failed, abusive_signup/);
    }
    assert.notEqual((await cli(['review', 'deny', 'big.test'])).status, 0, 'the CLI wants a reason too');
    assert.equal((await cli(['review', 'deny', 'big.test', '--reason', 'capacity', '--note', 'needs 34 cores, we have 8'])).status, 0);
    assert.equal((await node.api('GET', '/client/v4/zones/big.test')).status, 404);
    assert.equal((await cli(['review', 'approve', 'hit.test'])).status, 0);
    const hit = await node.api<{ status: string; review: { status: string; decided_by: string } }>('GET', '/client/v4/zones/hit.test');
    assert.equal(hit.json.result.review.status, 'approved');
    assert.equal(hit.json.result.review.decided_by, 'admin-token');
    assert.equal(hit.json.result.status, 'pending', 'approved; activation still pending');
    const rep = await node.api<{ suspensions: { removed_by_reason: Record<string, number> } }>('GET', `/client/v4/transparency?period=${new Date().getUTCFullYear()}`);
    assert.equal(rep.json.result.suspensions.removed_by_reason['signup_denied'], 1);
    const log = await node.api<Array<{ path: string }>>('GET', '/client/v4/audit/log?limit=1000');
    assert.ok(log.json.result.some((e) => e.path === '/client/v4/reviews/big.test/deny'), 'the decision is in the audit log');
  });
});
