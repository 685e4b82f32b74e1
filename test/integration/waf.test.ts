import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

let node: TestNode;
let origin: TestOrigin;
let zid: string;
const B = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0', accept: 'text/html,application/xhtml+xml', 'accept-language': 'en' };

before(async () => {
  node = await startTestNode();
  origin = await startOrigin();
  // security level off: the reputation this test's attacks earn must not turn into challenges here
  zid = (await node.addZone('waf.test', [origin.address], { waf: { mode: 'block', paranoia: 1 }, settings: { security_level: 'off' } })).id;
});
after(async () => { await node.stop(); await origin.close(); });

async function events(ray: string): Promise<Array<{ action: string; source: string; details: { rules: Array<{ id: number; variable: string }> } }>> {
  for (let i = 0; i < 30; i++) {
    const r = await node.api<Array<{ action: string; source: string; details: { rules: Array<{ id: number; variable: string }> } }>>('GET', `/client/v4/zones/${zid}/security/events?ray=${ray}`);
    if (r.json.result.length) return r.json.result;
    await new Promise((res) => setTimeout(res, 100));
  }
  return [];
}

test('XSS and SQLi in the query are blocked with 403 and never reach the origin; the events name the CRS rules', async () => {
  const n0 = origin.seen.length;
  const x = await node.get('waf.test', '/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E', { headers: B });
  assert.equal(x.status, 403);
  assert.ok(!x.text.includes('941'), 'the block page shows no rule internals');
  assert.ok(x.text.includes(String(x.headers['rampart-ray'])));
  const s = await node.get('waf.test', "/item?id=1'%20OR%20'1'='1", { headers: B });
  assert.equal(s.status, 403);
  assert.equal(origin.seen.length, n0);
  const ev = await events(String(x.headers['rampart-ray']));
  assert.equal(ev[0]?.action, 'block');
  assert.equal(ev[0]?.source, 'waf');
  const ids = ev[0]!.details.rules.map((r) => r.id);
  assert.ok(ids.some((i) => i >= 941000 && i < 942000), `XSS rules: ${ids.join(',')}`);
  assert.ok(ids.includes(949110));
  assert.ok(ev[0]!.details.rules.some((r) => r.variable.startsWith('ARGS')), 'matched variable recorded');
});

test('Rampart\'s managed rules run with the CRS: a request for /.env is blocked by rule 1100020', async () => {
  const r = await node.get('waf.test', '/.env', { headers: B });
  assert.equal(r.status, 403);
  const ev = await events(String(r.headers['rampart-ray']));
  assert.ok(ev[0]!.details.rules.some((x) => x.id === 1100020), JSON.stringify(ev[0]?.details.rules.map((x) => x.id)));
});

test('benign browser requests pass, with query, cookies and a urlencoded POST body forwarded intact', async () => {
  const g = await node.get('waf.test', '/search?q=blue+shoes&page=2&sort=price', { headers: { ...B, cookie: 'session=abc123; theme=dark' } });
  assert.equal(g.status, 200);
  const body = 'name=O%27Brien&comment=I+really+liked+it%2C+thanks!&rating=5';
  const p = await node.get('waf.test', '/review', { method: 'POST', body, headers: { ...B, 'content-type': 'application/x-www-form-urlencoded', 'x-keep-body': '1' } });
  assert.equal(p.status, 200);
  assert.equal((JSON.parse(p.text) as { bodyLength: number }).bodyLength, body.length);
});

test('attacks in a urlencoded or JSON body are blocked', async () => {
  const f = await node.get('waf.test', '/login', { method: 'POST', body: 'user=admin%27%20OR%201%3D1--&pw=x', headers: { ...B, 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(f.status, 403);
  const j = await node.get('waf.test', '/api', { method: 'POST', body: JSON.stringify({ bio: '<script>alert(document.cookie)</script>' }), headers: { ...B, 'content-type': 'application/json' } });
  assert.equal(j.status, 403);
});

test('a body larger than the inspection limit is forwarded whole', async () => {
  const big = 'a=' + 'x'.repeat(2 * 1024 * 1024);
  const r = await node.get('waf.test', '/upload', { method: 'POST', body: big, headers: { ...B, 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 200, r.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 600));
  assert.equal((JSON.parse(r.text) as { bodyLength: number }).bodyLength, big.length);
});

test('detect mode logs matches without blocking; exclusions and the zone\'s own SecLang rules apply', async () => {
  await node.api('PATCH', `/client/v4/zones/${zid}/waf/settings`, { mode: 'detect' });
  await new Promise((r) => setTimeout(r, 100));
  const d = await node.get('waf.test', '/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E', { headers: B });
  assert.equal(d.status, 200);
  const ev = await events(String(d.headers['rampart-ray']));
  assert.equal(ev[0]?.action, 'log');
  const own = 'SecRule REQUEST_HEADERS:X-Evil "@streq yes" "id:10001,phase:1,deny,status:403,log,msg:\'own rule\'"';
  const set = await node.api('PATCH', `/client/v4/zones/${zid}/waf/settings`, { mode: 'block', rules: own, exclude_ids: [942100] });
  assert.equal(set.status, 200, JSON.stringify(set.json.errors));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await node.get('waf.test', '/x', { headers: { ...B, 'x-evil': 'yes' } })).status, 403);
  assert.equal((await node.get('waf.test', '/x', { headers: { ...B, 'x-evil': 'no' } })).status, 200);
  const sq = await node.get('waf.test', "/item?id=1'%20OR%20'1'='1", { headers: B });
  const sev = await events(String(sq.headers['rampart-ray']));
  assert.ok(!(sev[0]?.details.rules ?? []).some((r) => r.id === 942100), '942100 excluded');
  await node.api('PATCH', `/client/v4/zones/${zid}/waf/settings`, { rules: '', exclude_ids: [] });
});

test('invalid WAF settings are refused with the field named', async () => {
  const r = await node.api('PATCH', `/client/v4/zones/${zid}/waf/settings`, { paranoia: 7 });
  assert.equal(r.status, 400);
  assert.match(r.json.errors[0]!.message, /paranoia/);
  const m = await node.api('PATCH', `/client/v4/zones/${zid}/waf/settings`, { mode: 'maybe' });
  assert.equal(m.status, 400);
});
