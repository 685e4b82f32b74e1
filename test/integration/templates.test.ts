/**
 * Per-zone page templates end to end (issue 6): a challenge template (validated when saved, served with the page's
 * CSP nonce, and still solvable), and a block template for rule blocks.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { solveWork } from '../../src/mitigation/proof-of-work.ts';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

const CHALLENGE = '<!doctype html><html><head><title>Acme check</title><style nonce="{{nonce}}">body{color:teal}</style></head>'
  + '<body><h1>Acme is checking {{site}}</h1>{{challenge_form}}<footer>ref {{ray}}</footer>{{challenge_script}}</body></html>';
const BLOCK = '<!doctype html><html><head><style nonce="{{nonce}}">p{}</style></head><body><p>Acme says no ({{status}} {{reason}})</p><small>{{ray}}</small></body></html>';

let node: TestNode;
let origin: TestOrigin;
let zid: string;

before(async () => {
  node = await startTestNode();
  origin = await startOrigin();
  zid = (await node.addZone('tpl.test', [origin.address])).id;
});
after(async () => { await node.stop(); await origin.close(); });

async function settle(): Promise<void> {
  const st = await node.api<{ config_version: number }>('GET', '/client/v4/system/status');
  await node.waitForVersion(st.json.result.config_version);
}

test('a template without the challenge placeholders is refused with the placeholder named', async () => {
  const r = await node.api('PATCH', `/client/v4/zones/${zid}/settings`, { templates: { challenge: '<html>{{challenge_form}} {{ray}}</html>' } });
  assert.equal(r.status, 400);
  assert.match(JSON.stringify(r.json.errors), /\{\{challenge_script\}\}/);
  const b = await node.api('PATCH', `/client/v4/zones/${zid}/settings`, { templates: { block: '<html>no ray here</html>' } });
  assert.equal(b.status, 400);
  assert.match(JSON.stringify(b.json.errors), /block template must contain the placeholder \{\{ray\}\}/);
  const c = await node.api('POST', '/client/v4/zones', { name: 'tpl2.test', settings: { templates: { challenge: '<p>{{ray}}</p>' } } });
  assert.equal(c.status, 400, 'validated on create too');
});

test('the challenge page comes from the template, with the CSP nonce, and still solves', async () => {
  const r = await node.api('PATCH', `/client/v4/zones/${zid}/settings`, { security_level: 'under_attack', templates: { challenge: CHALLENGE, block: BLOCK } });
  assert.equal(r.status, 200, JSON.stringify(r.json.errors));
  await settle();
  const page = await node.get('tpl.test', '/home', { headers: { accept: 'text/html', 'user-agent': 'tpl-test' } });
  assert.equal(page.status, 503);
  assert.match(page.text, /^<!doctype html><html><head><title>Acme check<\/title>/);
  assert.ok(page.text.includes('<h1>Acme is checking tpl.test</h1>'));
  assert.ok(page.text.includes(`<footer>ref ${String(page.headers['rampart-ray'])}</footer>`));
  const nonce = /<style nonce="([^"]+)">body\{color:teal\}/.exec(page.text)?.[1];
  assert.ok(nonce !== undefined && nonce.length >= 16);
  assert.ok(String(page.headers['content-security-policy']).includes(`'nonce-${nonce}'`));
  assert.ok(page.text.includes(`<script nonce="${nonce}">`));
  // solve it as the page's script would, then the origin's page appears
  const cfg = JSON.parse(/<script type="application\/json" id="rampart-config">([^<]+)<\/script>/.exec(page.text)?.[1] ?? '{}') as { challenge: string; bits: number };
  const nonceWork = solveWork(cfg.challenge, cfg.bits) ?? '';
  const v = await request(`http://127.0.0.1:${node.httpPort}/.rampart/challenge/verify`, {
    method: 'POST', headers: { host: 'tpl.test', 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'tpl-test' },
    body: new URLSearchParams({ token: cfg.challenge, nonce: nonceWork }).toString(),
  });
  await v.body.text();
  assert.equal(v.statusCode, 303);
  const cookie = String(v.headers['set-cookie']).split(';')[0] ?? '';
  const after = await node.get('tpl.test', '/home', { headers: { cookie, 'user-agent': 'tpl-test' } });
  assert.equal(after.status, 200);
});

test('a rule block is answered with the block template (JSON clients keep the JSON error)', async () => {
  await node.api('PATCH', `/client/v4/zones/${zid}/settings`, { security_level: 'medium' });
  const rule = await node.api<{ id: string }>('POST', `/client/v4/zones/${zid}/firewall/rules`, { expression: 'http.request.uri.path eq "/nope"', action: 'block' });
  assert.equal(rule.status, 200, JSON.stringify(rule.json.errors));
  await settle();
  const b = await node.get('tpl.test', '/nope', { headers: { accept: 'text/html' } });
  assert.equal(b.status, 403);
  assert.ok(b.text.includes('<p>Acme says no (403 firewall.block)</p>'), b.text.slice(0, 300));
  assert.ok(b.text.includes(`<small>${String(b.headers['rampart-ray'])}</small>`));
  const nonce = /<style nonce="([^"]+)">/.exec(b.text)?.[1] ?? 'missing';
  assert.ok(String(b.headers['content-security-policy']).includes(`'nonce-${nonce}'`));
  assert.match(String(b.headers['cache-control']), /no-store/);
  const j = await node.get('tpl.test', '/nope', { headers: { accept: 'application/json' } });
  assert.equal(j.status, 403);
  assert.match(j.text, /"firewall\.block"/);
  assert.equal(origin.hits('/nope'), 0);
});

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (apt-get install -y chromium)`;

test('Chromium: the template\'s nonce\'d script runs, an inline script without the nonce is blocked, the challenge solves', { skip, timeout: 120_000 }, async () => {
  const tpl = '<!doctype html><html><head><title>Acme</title></head><body><h1>Acme</h1>{{challenge_form}}<small>{{ray}}</small>'
    + '<script nonce="{{nonce}}">console.log("tpl-nonce-ok")</script><script>console.log("tpl-inline-ran")</script>{{challenge_script}}</body></html>';
  const o = await startOrigin('127.0.0.1', (_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<!doctype html><p id="hello">origin page</p>'); });
  await node.addZone('tplb.test', [o.address], { settings: { security_level: 'under_attack', templates: { challenge: tpl } } });
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'rampart-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP tplb.test 127.0.0.1'],
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    const first = await page.goto(`http://tplb.test:${node.httpPort}/landing`);
    assert.equal(first?.status(), 503);
    await page.locator('#hello').waitFor({ timeout: 90_000 });
    assert.ok(logs.includes('tpl-nonce-ok'), logs.join(' | '));
    assert.ok(!logs.includes('tpl-inline-ran'), 'CSP blocked the script without the nonce');
    assert.equal(o.hits('/landing'), 1);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await o.close();
  }
});
