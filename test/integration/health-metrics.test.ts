/** rampart_healthy_origins{zone} follows the active health checks. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

let node: TestNode;
let origin: TestOrigin;
let deadPort = 0;
before(async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  deadPort = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  origin = await startOrigin();
  node = await startTestNode();
});
after(async () => { await node.stop(); await origin.close(); });

test('the gauge counts the origins the health checks find up', async () => {
  await node.addZone('pair.test', [origin.address, `127.0.0.1:${deadPort}`], { pool: { health_check: { enabled: true, path: '/', interval: 1, timeout: 1, unhealthy_threshold: 1, healthy_threshold: 1 } } });
  let line = '';
  for (let i = 0; i < 100; i++) {
    const m = await fetch(`http://127.0.0.1:${node.adminPort}/metrics`, { headers: { authorization: `Bearer ${node.adminToken}` } }).then((r) => r.text());
    line = m.split('\n').find((l) => l.startsWith('rampart_healthy_origins{zone="pair.test"}')) ?? '';
    if (line.endsWith(' 1')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(line, 'rampart_healthy_origins{zone="pair.test"} 1', 'one of the two origins is up');
});
