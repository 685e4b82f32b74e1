import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { request } from 'undici';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';

let node: TestNode;
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-timeouts-'));
  const cfg = join(dir, 'r.yaml');
  writeFileSync(cfg, 'server:\n  limits:\n    header_timeout: 1\n');
  node = await startTestNode({ config: cfg });
});
after(async () => { await node.stop(); });

test('a request head that never completes (slowloris) is answered 408 and closed within about the header timeout', async () => {
  const t0 = Date.now();
  const got = await new Promise<string>((resolve) => {
    const s = connect(node.httpPort!, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x.test\r\nX-Slow: '));
    let d = '';
    s.on('data', (c) => { d += c.toString('latin1'); });
    s.on('close', () => resolve(d));
    setTimeout(() => { s.destroy(); resolve(d + '[still open]'); }, 6000);
  });
  assert.match(got, /^HTTP\/1\.1 408 /);
  assert.ok(Date.now() - t0 < 4000, `closed after ${Date.now() - t0} ms`);
});

test('a malformed path parameter in the admin API is answered, not a crash', async () => {
  const r = await request(`http://127.0.0.1:${node.adminPort}/client/v4/zones/%E0`, { headers: { authorization: `Bearer ${node.adminToken}` } });
  await r.body.dump();
  assert.equal(r.statusCode, 404);
  const h = await request(`http://127.0.0.1:${node.adminPort}/healthz`);
  assert.equal(h.statusCode, 200);
  await h.body.dump();
});
