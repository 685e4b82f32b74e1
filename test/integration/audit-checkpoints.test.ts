/** Periodic signed checkpoints of the audit chain: in the export, verified offline, quoted by the transparency report. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { verifyChain, verifyCheckpoint } from '../../src/control/services/audit.ts';
import type { Checkpoint } from '../../src/control/services/audit.ts';

let node: TestNode;
before(async () => {
  process.env['RAMPART_AUDIT_CHECKPOINT_S'] = '1';
  node = await startTestNode();
  delete process.env['RAMPART_AUDIT_CHECKPOINT_S'];
});
after(async () => { await node.stop(); });

const exportText = async (): Promise<string> => (await fetch(`http://127.0.0.1:${node.adminPort}/client/v4/audit/export`, { headers: { authorization: `Bearer ${node.adminToken}` } })).text();
const lines = (t: string): Array<{ type?: string; seq: number }> => t.trim().split('\n').map((l) => JSON.parse(l) as { type?: string; seq: number });

test('the head is signed periodically; the export carries the checkpoints where they belong; removal before one is caught', async () => {
  await node.api('POST', '/client/v4/zones', { name: 'audit-a.test', origins: ['127.0.0.1:9'] });
  await node.api('POST', '/client/v4/zones', { name: 'audit-b.test', origins: ['127.0.0.1:9'] });
  const pub = createPublicKey(readFileSync(join(node.dataDir, 'audit-ed25519.pub')));
  let text = '';
  for (let i = 0; i < 60; i++) { // a periodic checkpoint within a few seconds (1 s period)
    text = await exportText();
    if (lines(text).filter((l) => l.type === 'checkpoint').length >= 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const all = lines(text);
  const periodic = all.slice(0, -1).filter((l) => l.type === 'checkpoint');
  assert.ok(periodic.length >= 1, 'a periodic checkpoint inside the export');
  const ok = verifyChain(text, pub);
  assert.ok(ok.ok, JSON.stringify(ok));
  assert.ok(ok.ok && ok.checkpoints >= 2);
  // drop the entry just before the first periodic checkpoint and everything after it but keep the checkpoint: caught
  const cpIdx = all.findIndex((l) => l.type === 'checkpoint');
  const tampered = text.trim().split('\n').filter((_, i) => i !== cpIdx - 1).join('\n') + '\n';
  const bad = verifyChain(tampered, pub);
  assert.equal(bad.ok, false);
  // the transparency report quotes a signed head
  const r = await node.api<{ audit_chain_head: Checkpoint }>('GET', `/client/v4/transparency?period=${new Date().getUTCFullYear()}`);
  const head = r.json.result.audit_chain_head;
  assert.equal(head.type, 'checkpoint');
  assert.ok(verifyCheckpoint(pub, head), 'the quoted head verifies with the public key');
  assert.ok(head.seq >= 2);
});
