// The dashboard in headless Chromium: sign in with a scoped token, see only that token's sites, switch a site to
// Under Attack mode and check the edge now challenges it.
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
let token = '';

before(async () => {
  node = await startTestNode();
  origin = await startOrigin();
  await node.api('POST', '/client/v4/accounts', { name: 'acme', email: 'o@acme.test' });
  await node.addZone('shop.test', [origin.address], { account: 'acme' });
  await node.addZone('private.test', [origin.address]);
  const t = await node.api<{ value: string }>('POST', '/client/v4/accounts/acme/tokens', { permissions: ['zone:edit', 'analytics:read', 'cache:purge'] });
  token = t.json.result.value;
});
after(async () => { await node.stop(); await origin.close(); });

test('sign in, list the token\'s sites, switch one to Under Attack from the dashboard', { skip, timeout: 90_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'rampart-dash-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`http://127.0.0.1:${node.adminPort}/`);
    await page.fill('#token', token);
    await page.click('#login-form button');
    await page.locator('#zone-rows tr').first().waitFor();
    const names = await page.locator('#zone-rows tr td:first-child').allTextContents();
    assert.deepEqual(names, ['shop.test'], 'only the token\'s sites');
    await page.click('button[data-zone="shop.test"]');
    await page.locator('#zone-name', { hasText: 'shop.test' }).waitFor();
    await page.click('#under-attack');
    await page.locator('#zone-msg', { hasText: 'under_attack' }).waitFor();
    const z = await node.api<Array<{ settings: { security_level: string } }>>('GET', '/client/v4/zones?name=shop.test');
    assert.equal(z.json.result[0]?.settings.security_level, 'under_attack');
    const challenged = await node.get('shop.test', '/', { headers: { accept: 'text/html', 'user-agent': 'Mozilla/5.0' } });
    assert.equal(challenged.status, 503);
    assert.deepEqual(errors.filter((e) => /Content Security Policy|Refused/.test(e)), [], 'no CSP violation');
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
