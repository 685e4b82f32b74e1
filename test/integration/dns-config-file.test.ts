/** DNS records in the config file: served, replaced on reload, and a bad record refused with its place named. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'rampart-dns-file-'));
const cfg = join(dir, 'rampart.yaml');
let node: TestNode;
const write = (records: string): void => writeFileSync(cfg, `zones:\n  - name: file-dns.test\n    origins: ["127.0.0.1:9"]\n    dns_records:\n${records}`);
const dig = async (name: string, type: string): Promise<string> => (await run('dig', ['+short', '+time=1', '+tries=1', '-p', String(node.dnsPort), '@127.0.0.1', name, type])).stdout.trim();

before(async () => {
  write('      - { type: A, name: www, content: 192.0.2.21 }\n      - { type: MX, name: "@", content: mail.file-dns.test, priority: 10 }\n');
  node = await startTestNode({ config: cfg });
});
after(async () => { await node.stop(); rmSync(dir, { recursive: true, force: true }); });

test('records from the file are served; a reload replaces them; a bad one is refused and the old ones stay', async () => {
  assert.equal(await dig('www.file-dns.test', 'A'), '192.0.2.21');
  assert.equal(await dig('file-dns.test', 'MX'), '10 mail.file-dns.test.');
  write('      - { type: A, name: www, content: 192.0.2.22 }\n');
  const r = await node.reload();
  assert.equal(r['reloaded'], true);
  let a = '';
  for (let i = 0; i < 50 && a !== '192.0.2.22'; i++) { a = await dig('www.file-dns.test', 'A'); await new Promise((res) => setTimeout(res, 50)); }
  assert.equal(a, '192.0.2.22');
  assert.equal(await dig('file-dns.test', 'MX'), '', 'the MX left the file, so it left the zone');
  write('      - { type: A, name: www, content: not-an-address }\n');
  await assert.rejects(node.reload(), /zones\[0\]\.dns_records \(file-dns\.test\): .*\[0\]/);
  assert.equal(await dig('www.file-dns.test', 'A'), '192.0.2.22', 'the records it had stay');
});
