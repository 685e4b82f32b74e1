/** Analytics end to end: requests through the proxy show up in the zone's dashboard API (workers flush every 5 s). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

interface Dashboard {
  totals: { requests: { all: number; cached: number; http_status: Record<string, number> }; threats: { all: number; type: Record<string, number> }; uniques: { all: number } };
  top: { paths: Array<{ value: string; requests: number }>; ips: Array<{ value: string; requests: number }> };
}

describe('analytics through the proxy', () => {
  let node: TestNode;
  let origin: TestOrigin;
  let zid = '';
  before(async () => {
    origin = await startOrigin();
    node = await startTestNode();
    zid = (await node.addZone('stats.test', [`127.0.0.1:${origin.port}`])).id;
    const r = await node.api('POST', `/client/v4/zones/${zid}/firewall/rules`, { expression: 'http.request.uri.path eq "/wp-login.php"', action: 'block' });
    assert.equal(r.status, 200);
  });
  after(async () => { await node.stop(); await origin.close(); });

  it('counts requests, statuses, threats, visitors and top paths per zone', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await node.get('stats.test', '/shop?i=' + i)).status, 200);
    assert.equal((await node.get('stats.test', '/wp-login.php')).status, 403);
    let d: Dashboard | undefined;
    const end = Date.now() + 15_000;
    while (Date.now() < end) {
      const r = await node.api<Dashboard>('GET', `/client/v4/zones/${zid}/analytics/dashboard?since=-60`);
      assert.equal(r.status, 200, JSON.stringify(r.json.errors));
      d = r.json.result;
      if (d.totals.requests.all >= 6) break;
      await new Promise((res) => setTimeout(res, 250));
    }
    assert.ok(d, 'an answer');
    assert.equal(d.totals.requests.all, 6);
    assert.equal(d.totals.requests.http_status['2xx'] ?? d.totals.requests.http_status['200'], 5);
    assert.equal(d.totals.threats.all, 1);
    assert.equal(d.totals.uniques.all, 1);
    assert.deepEqual(d.top.paths.find((p) => p.value === '/shop')?.requests, 5);
    assert.equal(d.top.ips[0]?.value, '127.0.0.1');
    const wrong = await node.api('GET', `/client/v4/zones/${zid}/analytics/dashboard`, undefined, 'not-a-token');
    assert.equal(wrong.status, 403);
    const bad = await node.api('GET', `/client/v4/zones/${zid}/analytics/dashboard?since=yesterday`);
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.json.errors), /since/);
  });
});
