/** Proxied records answer the edge's addresses from the config file (edge.ipv4 / edge.ipv6) when the environment does not set them. */
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
const dir = mkdtempSync(join(tmpdir(), 'rampart-edge-addr-'));
let node: TestNode;
const saved = { v4: process.env['RAMPART_EDGE_IPV4'], v6: process.env['RAMPART_EDGE_IPV6'] };
before(async () => {
  delete process.env['RAMPART_EDGE_IPV4'];
  delete process.env['RAMPART_EDGE_IPV6'];
  writeFileSync(join(dir, 'rampart.yaml'), 'edge:\n  ipv4: ["192.0.2.80", "192.0.2.81"]\n  ipv6: ["2001:db8::80"]\n');
  node = await startTestNode({ config: join(dir, 'rampart.yaml') });
});
after(async () => {
  await node.stop();
  if (saved.v4 !== undefined) process.env['RAMPART_EDGE_IPV4'] = saved.v4;
  if (saved.v6 !== undefined) process.env['RAMPART_EDGE_IPV6'] = saved.v6;
  rmSync(dir, { recursive: true, force: true });
});

test('a proxied record answers edge.ipv4 and edge.ipv6', async () => {
  const z = await node.addZone('addr.test', ['127.0.0.1:9']);
  assert.equal((await node.api('POST', `/client/v4/zones/${z.id}/dns_records`, { type: 'A', name: 'www', content: '198.51.100.7', proxied: true })).status, 200);
  let a = '';
  for (let i = 0; i < 50; i++) {
    a = (await run('dig', ['+short', '+time=1', '+tries=1', '-p', String(node.dnsPort), '@127.0.0.1', 'www.addr.test', 'A'])).stdout.trim();
    if (a.includes('192.0.2.80')) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(a.split('\n').sort(), ['192.0.2.80', '192.0.2.81']);
  const aaaa = (await run('dig', ['+short', '+time=1', '+tries=1', '-p', String(node.dnsPort), '@127.0.0.1', 'www.addr.test', 'AAAA'])).stdout.trim();
  assert.equal(aaaa, '2001:db8::80');
});
