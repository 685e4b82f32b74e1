// Under Attack mode through the real edge: headless Chromium gets the proof-of-work page, solves it in a Web
// Worker, receives the clearance cookie and lands on the origin's page; the origin never sees the challenged hit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { TestOrigin } from '../helpers/origin.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (apt-get install -y chromium)`;
let node: TestNode;
let origin: TestOrigin;
let zid: string;

before(async () => {
  node = await startTestNode();
  origin = await startOrigin('127.0.0.1', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>shop</title><p id="hello">hello from ${req.method ?? ''} ${req.url ?? ''}</p>`);
  });
  zid = (await node.addZone('shop.test', [origin.address], { settings: { security_level: 'under_attack' } })).id;
});
after(async () => { await node.stop(); await origin.close(); });

test('a browser passes Under Attack mode by solving the challenge; the cookie then lets it through', { skip, timeout: 120_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'rampart-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP shop.test 127.0.0.1'],
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const base = `http://shop.test:${node.httpPort}`;
    const first = await page.goto(`${base}/welcome?x=1`);
    assert.equal(first?.status(), 503, 'the challenge page');
    assert.equal(origin.hits('/welcome'), 0, 'the challenged request did not reach the origin');
    await page.locator('#hello').waitFor({ timeout: 90_000 });
    assert.equal(await page.locator('#hello').textContent(), 'hello from GET /welcome?x=1');
    assert.equal(origin.hits('/welcome'), 1);
    const cookie = (await context.cookies(base)).find((c) => c.name === 'rampart_clearance');
    assert.ok(cookie?.httpOnly, 'HttpOnly clearance cookie');
    const second = await page.goto(`${base}/next`);
    assert.equal(second?.status(), 200);
    // the cookie is bound to the browser's User-Agent: lifted into curl it does not pass
    const lifted = await node.get('shop.test', '/welcome', { headers: { cookie: `rampart_clearance=${cookie.value}`, 'user-agent': 'curl/8' } });
    assert.equal(lifted.status, 503);
    // back to medium: no challenge at all
    await node.api('PATCH', `/client/v4/zones/${zid}/settings`, { security_level: 'medium' });
    const plain = await node.get('shop.test', '/welcome', { headers: { 'user-agent': 'curl/8', accept: 'text/html' } });
    assert.equal(plain.status, 200);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
