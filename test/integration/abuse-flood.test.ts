/** Issue 9: the abuse form under a flood of reports is protected by the zone's challenge (a solved challenge passes). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from 'node:http';
import { solveWork } from '../../src/mitigation/proof-of-work.ts';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

let node: TestNode;
let origin: TestOrigin;

function send(path: string, o: { from: string; method?: string; body?: string; cookie?: string }): Promise<{ status: number; text: string; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: 'report.test', accept: 'text/html', 'user-agent': 'Mozilla/5.0 reporter' };
    if (o.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (o.cookie) headers['cookie'] = o.cookie;
    const q = request({ host: '127.0.0.1', port: node.httpPort, path, method: o.method ?? 'GET', localAddress: o.from, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, setCookie: res.headers['set-cookie'] ?? [] }));
    });
    q.on('error', reject);
    q.end(o.body);
  });
}

before(async () => {
  process.env['RAMPART_ABUSE_FLOOD_PER_MIN'] = '2';
  origin = await startOrigin();
  node = await startTestNode();
  delete process.env['RAMPART_ABUSE_FLOOD_PER_MIN'];
  await node.addZone('report.test', [origin.address]);
});
after(async () => { await node.stop(); await origin.close(); });

const report = new URLSearchParams({ url: 'https://report.test/page', category: 'phishing', description: 'a phishing page imitating a bank', email: 'reporter@example.org' }).toString();

test('past the flood threshold a report needs a solved challenge; with the clearance it is taken', async () => {
  assert.equal((await send('/.rampart/abuse', { from: '127.0.70.1', method: 'POST', body: report })).status, 201);
  assert.equal((await send('/.rampart/abuse', { from: '127.0.70.2', method: 'POST', body: report })).status, 201);
  const flooded = await send('/.rampart/abuse', { from: '127.0.70.3', method: 'POST', body: report });
  assert.equal(flooded.status, 403, 'challenged under a flood');
  const cfg = /<script type="application\/json" id="rampart-config">([^<]+)<\/script>/.exec(flooded.text);
  const action = /<form id="rampart-form" method="POST" action="([^"]+)"/.exec(flooded.text);
  assert.ok(cfg?.[1] && action?.[1], 'the challenge page');
  const c = JSON.parse(cfg[1]) as { challenge: string; bits: number };
  const v = await send(action[1], { from: '127.0.70.3', method: 'POST', body: new URLSearchParams({ token: c.challenge, nonce: solveWork(c.challenge, c.bits) ?? '' }).toString() });
  assert.ok(v.status === 303 || v.status === 200, `verified (${v.status})`);
  const cookie = v.setCookie.map((x) => x.split(';')[0]).join('; ');
  const ok = await send('/.rampart/abuse', { from: '127.0.70.3', method: 'POST', body: report, cookie });
  assert.equal(ok.status, 201, 'with the clearance the report is taken');
  assert.match(ok.text, /Your ticket number is <strong><code>AR-[0-9A-Z]+<\/code>/);
});
