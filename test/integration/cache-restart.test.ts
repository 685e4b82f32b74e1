/**
 * A node (started the way `rampart start` starts it) restarted with the same data folder serves a HIT from the
 * disk tier. Needs main.ts to pass the cache folder to createRequestPhases (server.cache, default <data>/cache):
 * until then the node caches in memory only and this test is skipped with that reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';

test('a restarted node serves disk hits from the same data folder', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'rampart-cache-restart-'));
  const origin = await startOrigin();
  try {
    let node = await startTestNode({ data });
    try {
      await node.addZone('restart.test', [origin.address]);
      assert.equal((await node.get('restart.test', '/r?max_age=600&size=5000')).headers['rampart-cache-status'], 'MISS');
      assert.equal((await node.get('restart.test', '/r?max_age=600&size=5000')).headers['rampart-cache-status'], 'HIT');
    } finally { await node.stop(); }
    if (!existsSync(join(data, 'cache', 'w0', 'index.sqlite'))) {
      t.skip('the node has no disk tier yet: main.ts does not pass cacheDir to createRequestPhases');
      return;
    }
    node = await startTestNode({ data });
    try {
      const r = await node.get('restart.test', '/r?max_age=600&size=5000');
      assert.equal(r.headers['rampart-cache-status'], 'HIT');
      assert.equal(r.text.length, 5000);
      assert.equal(origin.hits('/r'), 1);
    } finally { await node.stop(); }
  } finally {
    await origin.close();
    rmSync(data, { recursive: true, force: true });
  }
});
