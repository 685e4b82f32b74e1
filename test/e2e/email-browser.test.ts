// Email obfuscation through the real edge in headless Chromium: the HTML that leaves the edge holds no address,
// yet the visitor sees it and the link is a real mailto: once the decoder script (an external, same-origin script,
// so a page CSP of script-src 'self' allows it) has run. The page also goes through compression.
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

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Contact</title></head><body>
<p id="text">Write to jane.doe@example.com for help.</p>
<p><a id="link" href="mailto:sales@shop.test?subject=Hello%20there">sales@shop.test</a></p>
<p>${'Some filler text so that the page is worth compressing. '.repeat(40)}</p>
</body></html>`;

before(async () => {
  node = await startTestNode();
  origin = await startOrigin('127.0.0.1', (_req, res) => {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'",
    });
    // two writes: the edge must cope with the page arriving in pieces
    res.write(PAGE.slice(0, 120));
    setTimeout(() => res.end(PAGE.slice(120)), 30);
  });
  await node.addZone('shop.test', [origin.address]);
});
after(async () => { await node.stop(); await origin.close(); });

test('a browser shows the obfuscated address and gets a working mailto: link', { skip, timeout: 120_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'rampart-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP shop.test 127.0.0.1'],
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const blocked: string[] = [];
    page.on('console', (m) => { if (/Content Security Policy|Refused/i.test(m.text())) blocked.push(m.text()); });
    const res = await page.goto(`http://shop.test:${node.httpPort}/contact`);
    assert.equal(res?.status(), 200);
    const headers = await res!.allHeaders();
    assert.ok(['br', 'zstd', 'gzip'].includes(headers['content-encoding'] ?? ''), `compressed for the browser (${headers['content-encoding']})`);
    const raw = await res!.text();
    assert.doesNotMatch(raw, /jane\.doe@example\.com|sales@shop\.test|mailto:/, 'no address in the HTML the edge sent');
    await page.locator('#text', { hasText: '@' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('#text').textContent(), 'Write to jane.doe@example.com for help.');
    assert.equal(await page.locator('#link').textContent(), 'sales@shop.test');
    assert.equal(await page.locator('#link').getAttribute('href'), 'mailto:sales@shop.test?subject=Hello%20there');
    assert.equal(await page.locator('[data-rampart-email]').count(), 0, 'every placeholder was replaced');
    // clicking the link follows the real mailto: (recorded instead of launching a mail client)
    // (browser-side code as strings: the test's TypeScript has no DOM types)
    await page.evaluate(`document.addEventListener('click', (e) => {
      const a = e.target.closest('a');
      if (a !== null) { e.preventDefault(); document.body.dataset.clicked = a.href; }
    })`);
    await page.locator('#link').click();
    assert.equal(await page.evaluate('document.body.dataset.clicked'), 'mailto:sales@shop.test?subject=Hello%20there');
    assert.deepEqual(blocked, [], 'the page CSP allowed the decoder');
    // without the page's script, the obfuscated link leads to the edge's protection page, which shows the address
    const hash = /email-protection#([0-9a-f]+)/.exec(raw)![1]!;
    await page.goto(`http://shop.test:${node.httpPort}/.rampart/email-protection#${hash}`);
    await page.locator('#rampart-email a').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('#rampart-email a').getAttribute('href'), 'mailto:sales@shop.test?subject=Hello%20there');
    assert.equal(await page.locator('#rampart-email a').textContent(), 'sales@shop.test');
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
