/**
 * Abuse reports with edge worker processes (workers: 2): the form in a worker reports to the primary over the
 * cluster IPC (src/edge/abuse/ipc.ts), the ticket's status is read back the same way, and the per-IP limit is
 * shared by the node's workers (SQLite counters).
 *
 * NEEDS THE INTEGRATOR'S WIRING (src/main.ts, src/edge/worker.ts, src/edge/ipc.ts): skips itself until
 * /client/v4/abuse/reports is registered.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';

let node: TestNode;
let wired = false;
before(async () => {
  node = await startTestNode({ workers: 2 });
  wired = node.routes.some((r) => r.path === '/client/v4/abuse/reports');
  await node.get('nobody.test', '/');
  if (wired) await node.addZone('wabuse.test', ['127.0.0.1:9']);
});
after(async () => { await node.stop(); });

test('a worker takes a report through the primary; status and the per-IP limit work across workers', async (t) => {
  if (!wired) { t.skip('abuse wiring not in src/main.ts yet (integrator lines in docs/governance.md "Abuse reports")'); return; }
  const tickets: string[] = [];
  for (let i = 0; i < 6; i++) {
    // a new connection each time: the kernel spreads them over both workers
    const r = await request(`http://127.0.0.1:${node.httpPort}/.rampart/abuse`, {
      method: 'POST', headers: { host: 'wabuse.test', 'content-type': 'application/json', accept: 'application/json', connection: 'close' },
      body: JSON.stringify({ host: 'wabuse.test', category: 'malware', description: `sample ${i}` }),
    });
    const j = await r.body.json() as { result?: { ticket: string; status_url: string } };
    if (i < 5) { assert.equal(r.statusCode, 201); tickets.push(j.result!.ticket); } else assert.equal(r.statusCode, 429, 'the sixth from one IP, whichever worker');
  }
  const st = await node.get('wabuse.test', `/.rampart/abuse/status/${tickets[0]!}`, { headers: { accept: 'application/json' } });
  assert.equal(st.status, 200);
  assert.equal((JSON.parse(st.text) as { result: { status: string } }).result.status, 'received', 'no owner address and no relay: recorded, not forwarded');
  const list = await node.api<Array<{ ticket: string; forwards: Array<{ detail: string }> }>>('GET', '/client/v4/abuse/reports?zone=wabuse.test');
  assert.deepEqual(list.json.result.map((x) => x.ticket).sort(), [...tickets].sort());
});
