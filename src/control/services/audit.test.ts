import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { AuditedRouter, canonicalJson, GENESIS, loadOrCreateAuditKey, seal, signCheckpoint, summariseBody, verifyChain } from './audit.ts';
import { SqliteAuditLog } from '../../state/sqlite/audit-log.ts';
import type { AuditEntry } from '../../state/ports.ts';
import type { ApiRequest } from '../api/router.ts';
import { ApiError } from '../api/errors.ts';

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    out.push(seal({ time: `2026-11-0${i + 1}T00:00:00.000Z`, actor: 'admin-token', method: 'POST', path: '/client/v4/zones', zone: `z${i}.test`, status: 200, detail: { request: { name: `z${i}.test` } } }, out.at(-1)));
  }
  return out;
}
const lines = (es: readonly unknown[]): string => es.map((e) => JSON.stringify(e) + '\n').join('');

test('canonical JSON sorts keys at every level and ignores key order', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  assert.equal(canonicalJson({ x: 1, y: 2 }), canonicalJson({ y: 2, x: 1 }));
});

test('a sealed chain links each entry to the previous hash and verifies', () => {
  const es = chain(4);
  assert.equal(es[0]!.prev, GENESIS);
  assert.equal(es[1]!.prev, es[0]!.hash);
  assert.deepEqual(es.map((e) => e.seq), [1, 2, 3, 4]);
  const r = verifyChain(lines(es));
  assert.deepEqual(r, { ok: true, entries: 4, head: es[3]!.hash, checkpoints: 0 });
  // key order in the file does not matter (canonical form)
  const reordered = es.map((e) => JSON.stringify(Object.fromEntries(Object.entries(e).reverse()))).join('\n');
  assert.equal(verifyChain(reordered).ok, true);
});

test('an edited entry is detected and named by its line', () => {
  const text = lines(chain(4)).replace('z2.test', 'zX.test');
  const r = verifyChain(text);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.line, 3);
  assert.match(!r.ok ? r.reason : '', /altered/);
});

test('an edit that also recomputes the hash breaks the next link', () => {
  const es = chain(3);
  const forged = seal({ ...es[1]!, zone: 'forged.test' }, es[0]);
  const r = verifyChain(lines([es[0], forged, es[2]]));
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.line, 3);
});

test('a removed entry is detected', () => {
  const es = chain(4);
  const r = verifyChain(lines([es[0], es[1], es[3]]));
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.line, 3);
  const first = verifyChain(lines(es.slice(1)));
  assert.equal(!first.ok && first.line, 1);
});

test('reordered entries are detected', () => {
  const es = chain(4);
  const r = verifyChain(lines([es[0], es[2], es[1], es[3]]));
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.line, 2);
});

test('garbage lines are named', () => {
  const es = chain(2);
  const r = verifyChain(lines(es) + 'not json\n');
  assert.equal(!r.ok && r.line, 3);
  assert.equal(verifyChain('').ok, true);
});

test('body summaries redact secrets and documents and cut long strings', () => {
  const s = summariseBody({ name: 'a.test', api_token: 'xyz', nested: { password: 'p', ok: 1 }, document_base64: 'AAAA', long: 'x'.repeat(500) }) as Record<string, unknown>;
  assert.equal(s['name'], 'a.test');
  assert.equal(s['api_token'], '[redacted]');
  assert.deepEqual(s['nested'], { password: '[redacted]', ok: 1 });
  assert.equal(s['document_base64'], '[redacted]');
  assert.ok((s['long'] as string).length < 260);
});

test('SQLite audit log: appends chain, survive reopen, and refuse UPDATE/DELETE', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-audit-'));
  try {
    const path = join(dir, 'audit.db');
    let log = new SqliteAuditLog(path);
    const a = await log.append({ time: '2026-11-01T00:00:00.000Z', actor: 't', method: 'POST', path: '/x', zone: 'a.test', status: 200, detail: { n: 1 } });
    await log.close();
    log = new SqliteAuditLog(path);
    const b = await log.append({ time: '2026-11-01T00:00:01.000Z', actor: 't', method: 'DELETE', path: '/y', zone: null, status: 404, detail: null });
    assert.equal(b.prev, a.hash);
    assert.equal(b.seq, 2);
    assert.equal(await log.count(), 2);
    const all = await log.list();
    assert.equal(verifyChain(lines(all)).ok, true);
    assert.deepEqual((await log.list(1, 10)).map((e) => e.seq), [2]);
    await log.close();
    const db = new DatabaseSync(path);
    assert.throws(() => db.exec("UPDATE audit_log SET zone='b.test' WHERE seq=1"), /append-only/);
    assert.throws(() => db.exec('DELETE FROM audit_log WHERE seq=2'), /append-only/);
    db.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('AuditedRouter records non-GET calls (success and refusal) and not GETs', async () => {
  const log = new SqliteAuditLog(':memory:');
  const r = new AuditedRouter(log, (e) => { throw e; }, () => new Date('2026-11-02T10:00:00Z'));
  r.add({ method: 'GET', path: '/client/v4/zones', auth: 'token', summary: '', handler: async () => ({ kind: 'json', result: [] }) });
  r.add({ method: 'POST', path: '/client/v4/zones', auth: 'token', summary: '', handler: async () => ({ kind: 'json', result: { id: 'z1' } }) });
  r.add({ method: 'POST', path: '/client/v4/legal/orders', auth: 'token', summary: '', handler: async () => { throw new ApiError(400, 1004, 'body: missing required field "case"'); } });
  const call = async (method: string, path: string, body: unknown): Promise<unknown> => {
    const m = r.match(method, path);
    assert.ok('route' in m);
    const req: ApiRequest = { method, path, params: m.params, query: new URLSearchParams(), raw: undefined as never, body, auth: { kind: 'admin', subject: 'admin-token' } };
    return m.route.handler(req, undefined as never);
  };
  await call('GET', '/client/v4/zones', undefined);
  await call('POST', '/client/v4/zones', { name: 'shop.test', token: 'sekrit' });
  await assert.rejects(call('POST', '/client/v4/legal/orders', { zone: 'shop.test', court: 'X' }), /missing/);
  const es = await log.list();
  assert.equal(es.length, 2);
  assert.equal(es[0]!.zone, 'shop.test');
  assert.equal(es[0]!.status, 200);
  assert.equal(es[0]!.actor, 'admin-token');
  assert.equal(es[0]!.time, '2026-11-02T10:00:00.000Z');
  assert.doesNotMatch(JSON.stringify(es[0]), /sekrit/);
  assert.deepEqual((es[0]!.detail as { after: unknown }).after, { id: 'z1' });
  assert.equal(es[1]!.status, 400);
  assert.equal(es[1]!.zone, 'shop.test');
  assert.equal(verifyChain(lines(es)).ok, true);
  await log.close();
});

test('a process killed mid-append leaves a valid chain', async () => {
  const { spawn } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'rampart-audit-kill-'));
  try {
    const path = join(dir, 'audit.db');
    const mod = new URL('../../state/sqlite/audit-log.ts', import.meta.url).href;
    const code = `const { SqliteAuditLog } = await import(${JSON.stringify(mod)});
      const log = new SqliteAuditLog(${JSON.stringify(path)});
      for (let i = 0; ; i++) {
        await log.append({ time: new Date().toISOString(), actor: 'a', method: 'POST', path: '/x', zone: 'k.test', status: 200, detail: { i, pad: 'x'.repeat(2000) } });
        if (i === 20) process.stdout.write('ready\\n');
      }`;
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (c: string) => { if (c.includes('ready')) resolve(); });
      child.on('exit', (c) => reject(new Error(`writer exited early (${String(c)})`)));
    });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
    const log = new SqliteAuditLog(path);
    const all = await log.list(0, 1_000_000);
    assert.ok(all.length > 20);
    assert.equal(verifyChain(lines(all)).ok, true);
    const next = await log.append({ time: '2026-11-01T00:00:00.000Z', actor: 'a', method: 'POST', path: '/y', zone: null, status: 200, detail: null });
    assert.equal(next.seq, all.length + 1);
    assert.equal(next.prev, all.at(-1)!.hash);
    await log.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('signed checkpoints: verify with the right key, fail with another, and reveal a removed tail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-audit-key-'));
  try {
    const k = loadOrCreateAuditKey(dir);
    assert.equal(loadOrCreateAuditKey(dir).publicKeyPem, k.publicKeyPem, 'the key persists');
    const pub = createPublicKey(k.publicKeyPem);
    const es = chain(4);
    const cp = signCheckpoint(k.privateKey, es[3]!, '2026-11-05T00:00:00.000Z');
    const text = lines([...es, cp]);
    const ok = verifyChain(text, pub);
    assert.equal(ok.ok && ok.checkpoints, 1);
    const other = generateKeyPairSync('ed25519').publicKey;
    assert.match(JSON.stringify(verifyChain(text, other)), /signature/);
    // tail removed with the checkpoint kept: mismatch; with the checkpoint dropped too: no checkpoint
    assert.equal(verifyChain(lines([...es.slice(0, 3), cp]), pub).ok, false);
    assert.match(JSON.stringify(verifyChain(lines(es.slice(0, 3)), pub)), /no signed checkpoint/);
    // a forged checkpoint time breaks the signature
    assert.equal(verifyChain(lines([...es, { ...cp, time: '2027-01-01T00:00:00.000Z' }]), pub).ok, false);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
