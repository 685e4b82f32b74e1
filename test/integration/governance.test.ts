import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
let node: TestNode;
let origin: TestOrigin;
let tmp: string;
before(async () => {
  node = await startTestNode();
  origin = await startOrigin();
  await node.addZone('gov.test', [origin.address]);
  tmp = mkdtempSync(join(tmpdir(), 'rampart-gov-'));
});
after(async () => { await node.stop(); await origin.close(); rmSync(tmp, { recursive: true, force: true }); });

async function settle(): Promise<void> {
  const st = await node.api<{ config_version: number }>('GET', '/client/v4/system/status');
  await node.waitForVersion(st.json.result.config_version);
}

/** Run the CLI (asynchronously: the node under test lives in this process). */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, ...args], {
      env: { ...process.env, RAMPART_API: `http://127.0.0.1:${node.adminPort}`, RAMPART_ADMIN_TOKEN: node.adminToken }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    p.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const t = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('error', reject);
    p.on('close', (status) => { clearTimeout(t); resolve({ status, stdout, stderr }); });
  });
}

test('a legal order: its scope answers 451 with Link rel=blocked-by and a page naming it; outside it serves; lifting restores', async () => {
  const doc = Buffer.from('order text').toString('base64');
  const missing = await node.api('POST', '/client/v4/legal/orders', { zone: 'gov.test', court: 'X', date: '2026-11-01', jurisdiction: ['DE'], document_base64: doc });
  assert.equal(missing.status, 400);
  assert.match(missing.json.errors.map((e) => e.message).join(' '), /body\.case: required/);

  const r = await node.api<{ id: string; status: string }>('POST', '/client/v4/legal/orders', {
    zone: 'gov.test', court: 'Test District Court', case: 'CV-2026-1', date: '2026-11-01', jurisdiction: ['DE'], document_base64: doc, document_name: 'order.pdf', paths: ['/banned'],
  });
  assert.equal(r.status, 200, JSON.stringify(r.json.errors));
  const id = r.json.result.id;
  await settle();

  const hitsBefore = origin.hits('/banned/page');
  const b = await node.get('gov.test', '/banned/page', { headers: { accept: 'text/html' } });
  assert.equal(b.status, 451);
  const link = /^<([^>]+)>; rel="blocked-by"$/.exec(String(b.headers['link']));
  assert.ok(link, `Link header: ${String(b.headers['link'])}`);
  assert.equal(link[1], `/.rampart/legal/notices/${id}`, 'the public notice is served by the edge on the same host');
  const notice = await node.get('gov.test', link[1]!, { headers: { accept: 'text/html' } });
  assert.equal(notice.status, 200, 'the notice is public (no token)');
  assert.match(notice.text, /CV-2026-1/);
  assert.match(notice.text, /Test District Court/);
  assert.match(b.text, /Test District Court/);
  assert.match(b.text, /CV-2026-1/);
  assert.match(b.text, /2026-11-01/);
  assert.match(b.text, /<a href="\/\.rampart\/legal\/notices\//);
  assert.equal(origin.hits('/banned/page'), hitsBefore, 'a 451 never reaches the origin');

  const j = await node.get('gov.test', '/banned', { headers: { accept: 'application/json' } });
  assert.equal(j.status, 451);
  assert.equal((JSON.parse(j.text) as { legal_order: { case: string } }).legal_order.case, 'CV-2026-1');

  assert.equal((await node.get('gov.test', '/fine')).status, 200);
  assert.equal((await node.get('gov.test', '/bannedx')).status, 200);

  const shown = await node.api<{ status: string; in_force: boolean }>('GET', `/client/v4/legal/orders/${id}`);
  assert.equal(shown.json.result.in_force, true);
  const noReason = await node.api('POST', `/client/v4/legal/orders/${id}/lift`, {});
  assert.equal(noReason.status, 400);
  const lifted = await node.api<{ status: string; lift_reason: string }>('POST', `/client/v4/legal/orders/${id}/lift`, { reason: 'appeal granted' });
  assert.equal(lifted.status, 200);
  assert.equal(lifted.json.result.status, 'lifted');
  await settle();
  assert.equal((await node.get('gov.test', '/banned/page')).status, 200);

  const list = await node.api<Array<{ id: string; status: string }>>('GET', '/client/v4/legal/orders?zone=gov.test');
  assert.deepEqual(list.json.result.map((o) => [o.id, o.status]), [[id, 'lifted']]);
  const rep = await node.api<{ orders: { received: number; lifted: number }; notices: Array<{ case: string }> }>('GET', '/client/v4/transparency?period=' + new Date().getUTCFullYear());
  assert.equal(rep.status, 200);
  assert.equal(rep.json.result.orders.received, 1);
  assert.equal(rep.json.result.orders.lifted, 1);
  assert.equal(rep.json.result.notices[0]?.case, 'CV-2026-1');
});

test('the audit log records administrative actions; an export verifies and an edited export does not', async () => {
  const page = await node.api<Array<{ seq: number; method: string; path: string; zone: string | null; actor: string }>>('GET', '/client/v4/audit/log?limit=100');
  assert.equal(page.status, 200);
  const es = page.json.result;
  assert.ok(es.some((e) => e.method === 'POST' && e.path === '/client/v4/zones' && e.zone === 'gov.test'), JSON.stringify(es));
  assert.ok(es.some((e) => e.path === '/client/v4/legal/orders' && e.zone === 'gov.test'));
  assert.ok(es.some((e) => e.path.endsWith('/lift')));
  assert.ok(es.every((e) => e.actor === 'admin-token' && e.method !== 'GET'));

  const r = await request(`http://127.0.0.1:${node.adminPort}/client/v4/audit/export`, { headers: { authorization: `Bearer ${node.adminToken}` } });
  assert.equal(r.statusCode, 200);
  const text = await r.body.text();
  const exported = text.trim().split('\n');
  // the entries, the periodic checkpoints made so far (the transparency report signs one), and a fresh head
  const periodic = exported.slice(0, -1).filter((l) => (JSON.parse(l) as { type?: string }).type === 'checkpoint').length;
  assert.equal(exported.length, es.length + periodic + 1);
  const cp = JSON.parse(exported.at(-1)!) as { type: string; seq: number; signature: string };
  assert.equal(cp.type, 'checkpoint');
  assert.equal(cp.seq, es.at(-1)!.seq);
  const head = await node.api<{ seq: number; signature: string; public_key: string }>('GET', '/client/v4/audit/head');
  assert.equal(head.json.result.seq, cp.seq);
  assert.match(head.json.result.public_key, /BEGIN PUBLIC KEY/);
  assert.doesNotMatch(text, /b3JkZXIgdGV4dA==/, 'the document bytes are not in the log');

  const file = join(tmp, 'log.jsonl');
  const exp = await cli(['audit', 'export']);
  assert.equal(exp.status, 0, exp.stderr);
  const entriesOf = (t: string): string => t.trim().split('\n').slice(0, -1).join('\n'); // the checkpoint line's time differs
  assert.equal(entriesOf(exp.stdout), entriesOf(text));
  writeFileSync(file, exp.stdout);
  const ok = await cli(['audit', 'verify', '--file', file]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`^ok: ${es.length} entries`));
  const pubFile = join(node.dataDir, 'audit-ed25519.pub');
  const signed = await cli(['audit', 'verify', '--file', file, '--public-key', pubFile]);
  assert.equal(signed.status, 0, signed.stderr);
  assert.match(signed.stdout, new RegExp(`${periodic + 1} signed checkpoint`));
  const { generateKeyPairSync } = await import('node:crypto');
  const otherPub = join(tmp, 'other.pub');
  writeFileSync(otherPub, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
  const wrongKey = await cli(['audit', 'verify', '--file', file, '--public-key', otherPub]);
  assert.equal(wrongKey.status, 1);
  assert.match(wrongKey.stderr, /signature/);
  const lines0 = text.trim().split('\n');
  writeFileSync(file, lines0.slice(0, -2).join('\n') + '\n');
  const truncated = await cli(['audit', 'verify', '--file', file, '--public-key', pubFile]);
  assert.equal(truncated.status, 1, 'a removed tail is detected with the public key');

  const lines = text.trim().split('\n');
  const idx = lines.findIndex((l) => l.includes('CV-2026-1'));
  assert.ok(idx >= 0);
  writeFileSync(file, lines.map((l, i) => (i === idx ? l.replace('CV-2026-1', 'CV-2026-2') : l)).join('\n') + '\n');
  const bad = await cli(['audit', 'verify', '--file', file]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, new RegExp(`line ${idx + 1}: .*altered`));

  writeFileSync(file, lines.filter((_, i) => i !== 1).join('\n') + '\n');
  const removed = await cli(['audit', 'verify', '--file', file]);
  assert.equal(removed.status, 1);
  assert.match(removed.stderr, /line 2:/);
});

test('CLI: legal add refuses a missing --case, records an order, lists and shows it', async () => {
  const docFile = join(tmp, 'order.pdf');
  writeFileSync(docFile, 'order text');
  const miss = await cli(['legal', 'add', 'gov.test', '--court', 'X', '--date', '2026-11-01', '--jurisdiction', 'DE', '--document', docFile]);
  assert.notEqual(miss.status, 0);
  assert.match(miss.stderr, /--case/);
  const add = await cli(['legal', 'add', 'gov.test', '--court', 'Y Court', '--case', 'K-9', '--date', '2026-11-01', '--jurisdiction', 'DE,AT', '--document', docFile, '--paths', '/a,/b', '--geo', '--json']);
  assert.equal(add.status, 0, add.stderr);
  const id = (JSON.parse(add.stdout) as { result: { id: string } }).result.id;
  const list = await cli(['legal', 'list']);
  assert.match(list.stdout, new RegExp(`${id}\\tgov.test\\tin force\\t2026-11-01\\tY Court\\tK-9\\tDE,AT \\(geo\\)\\t/a,/b`));
  const show = await cli(['legal', 'show', id, '--json']);
  assert.equal((JSON.parse(show.stdout) as { result: { case: string } }).result.case, 'K-9');
  const rep = await cli(['transparency', 'report', '--period', String(new Date().getUTCFullYear())]);
  assert.equal(rep.status, 0, rep.stderr);
  assert.match(rep.stdout, /K-9/);
  assert.match(rep.stdout, /Legal orders: \d+ received, \d+ complied with, 0 contested, \d+ in force, \d+ lifted\./);
  assert.match(rep.stdout, /## Requests for user data\n\n0 received\./);
  assert.match(rep.stdout, /## Abuse reports\n\n0 received, 0 forwarded\./);
  assert.match(rep.stdout, /## Zones suspended or removed/);
  assert.match(rep.stdout, /Signed head: entry \d+, SHA-256 [0-9a-f]{64}/);
  const html = await cli(['transparency', 'report', '--period', String(new Date().getUTCFullYear()), '--format', 'html']);
  assert.equal(html.status, 0, html.stderr);
  assert.match(html.stdout, /<h1>Transparency report \d{4}<\/h1>/);
  assert.match(html.stdout, /<li>[^<]*Y Court, case K-9/);
  assert.match(html.stdout, /<td>DE<\/td>/);
});
