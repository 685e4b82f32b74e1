/**
 * The challenge in a real browser: Debian's chromium, driven by playwright-core, against a tiny node:http server
 * that uses this library the way the edge will. Skipped (with a message) only when /usr/bin/chromium is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, systemClock, systemRandom } from '../lib/clock.ts';
import type { Clock } from '../lib/clock.ts';
import { decideChallenge, handleVerify } from './handler.ts';
import type { ChallengeDeps, ChallengeLogEntry } from './handler.ts';
import { KeyRing } from './key-ring.ts';
import { VERIFY_PATH } from './page.ts';
import { MapReplayStore } from './test-support.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { body += c; if (body.length > 16384) req.destroy(); });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function startServer(deps: ChallengeDeps, clock: Clock = systemClock) {
  const served: { path: string; status: number }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const ip = req.socket.remoteAddress ?? '';
    const ua = req.headers['user-agent'] ?? '';
    const url = req.url ?? '/';
    const send = (status: number, headers: Record<string, string>, body: string) => {
      served.push({ path: url, status });
      res.writeHead(status, headers);
      res.end(body);
    };
    void (async () => {
      if (req.method === 'POST' && url === VERIFY_PATH) {
        const v = await handleVerify(await readBody(req), {
          zoneId: 'shop.test', ip, ua, now: clock.now(), https: false, policyId: 'pol-1', rayId: 'ray-v',
        }, deps);
        send(v.status, v.headers, v.body);
        return;
      }
      if (url === '/form') {
        // Not challenged (like an allow-listed path): a page with a form that POSTs to a challenged URL.
        send(200, { 'content-type': 'text/html; charset=utf-8' },
          '<!doctype html><form method="POST" action="/submit"><input name="q" value="1"><button>Send</button></form>');
        return;
      }
      if (req.method === 'POST') await readBody(req);
      const d = decideChallenge({
        zoneId: 'shop.test', securityLevel: 'under_attack', threatScore: 0, cookies: req.headers.cookie, ip, ua,
        accept: req.headers.accept, method: req.method ?? 'GET', url, policyId: 'pol-1', now: clock.now(),
        rayId: 'ray-b', siteName: 'shop.test', difficulty: 12,
      }, deps);
      if (d.kind === 'pass') send(200, { 'content-type': 'text/html; charset=utf-8' }, `<!doctype html><title>shop</title><p>hello from ${req.method ?? ''} ${url}</p>`);
      else send(d.status, d.headers, d.body);
    })().catch((err: unknown) => { res.writeHead(500); res.end(String(err)); });
  });
  return new Promise<{ base: string; served: typeof served; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        base: `http://127.0.0.1:${port}`,
        served,
        close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (apt-get install -y chromium to run this test)`;

test('chromium solves the challenge in a worker, gets the clearance cookie and lands on the origin page', { skip, timeout: 120_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const logs: ChallengeLogEntry[] = [];
  const deps: ChallengeDeps = {
    keyRing: KeyRing.generate(systemRandom), random: systemRandom, replayStore: new MapReplayStore(systemClock),
    log: (e) => logs.push(e),
  };
  const srv = await startServer(deps);
  const profile = mkdtempSync(join(tmpdir(), 'rampart-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    let workers = 0;
    page.on('worker', () => { workers++; });

    const first = await page.goto(`${srv.base}/welcome?x=1`);
    assert.equal(first?.status(), 503);
    await page.waitForURL(`${srv.base}/welcome?x=1`, { waitUntil: 'load', timeout: 60_000 });
    await page.getByText('hello from GET /welcome?x=1').waitFor({ timeout: 60_000 });

    assert.deepEqual(srv.served.map((s) => [s.path, s.status]).filter(([p]) => p !== '/favicon.ico'), [
      ['/welcome?x=1', 503], [VERIFY_PATH, 303], ['/welcome?x=1', 200],
    ]);
    assert.ok(workers >= 1, 'the proof of work ran in a Web Worker');
    assert.deepEqual(consoleErrors.filter((e) => /Content Security Policy|Refused/.test(e)), [], 'no CSP violation');
    const solved = logs.find((l) => l.event === 'challenge.solved');
    assert.equal(solved?.method, 'pow');
    assert.equal(solved?.difficulty, 12);

    const cookies = await context.cookies(srv.base);
    const clearance = cookies.find((c) => c.name === 'rampart_clearance');
    assert.ok(clearance, 'clearance cookie set');
    assert.equal(clearance.httpOnly, true);
    assert.equal(clearance.sameSite, 'Lax');

    // Another page of the site passes straight through with the cookie.
    const second = await page.goto(`${srv.base}/other`);
    assert.equal(second?.status(), 200);

    // curl-like clients: no cookie → still challenged (HTML page or JSON 403).
    const bare = await fetch(`${srv.base}/welcome?x=1`, { headers: { 'user-agent': 'curl/8.11' } });
    assert.equal(bare.status, 503);
    assert.match(await bare.text(), /<noscript>/);
    const api = await fetch(`${srv.base}/api`, { headers: { accept: 'application/json' } });
    assert.equal(api.status, 403);
    assert.equal(((await api.json()) as { errors: { code: number }[] }).errors[0]?.code, 1021);
    // The browser's cookie lifted into another client (other User-Agent) does not pass.
    const lifted = await fetch(`${srv.base}/welcome`, { headers: { cookie: `rampart_clearance=${clearance.value}`, 'user-agent': 'curl/8.11' } });
    assert.equal(lifted.status, 503);
    await lifted.text();
  } finally {
    await context.close();
    await srv.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('a challenged POST: solved, cookie set, the visitor is asked to submit again, and the resubmission passes', { skip, timeout: 120_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const deps: ChallengeDeps = { keyRing: KeyRing.generate(systemRandom), random: systemRandom, replayStore: new MapReplayStore(systemClock) };
  const srv = await startServer(deps);
  const profile = mkdtempSync(join(tmpdir(), 'rampart-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(`${srv.base}/form`);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('submit it again').waitFor({ timeout: 60_000 });
    assert.ok((await context.cookies(srv.base)).some((c) => c.name === 'rampart_clearance'));
    await page.goto(`${srv.base}/form`);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('hello from POST /submit').waitFor({ timeout: 30_000 });
    assert.deepEqual(srv.served.map((s) => [s.path, s.status]).filter(([p]) => p !== '/favicon.ico'), [
      ['/form', 200], ['/submit', 503], [VERIFY_PATH, 200], ['/form', 200], ['/submit', 200],
    ]);
  } finally {
    await context.close();
    await srv.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('without JavaScript: the noscript form, accepted once the delay has passed, lets the visitor in', { skip, timeout: 120_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const clock = new ManualClock(Date.now());
  const logs: ChallengeLogEntry[] = [];
  const deps: ChallengeDeps = {
    keyRing: KeyRing.generate(systemRandom), random: systemRandom, replayStore: new MapReplayStore(clock),
    noJsDelayMs: 5000, log: (e) => logs.push(e),
  };
  const srv = await startServer(deps, clock);
  const profile = mkdtempSync(join(tmpdir(), 'rampart-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, javaScriptEnabled: false,
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(`${srv.base}/docs`);
    // Playwright's text selectors skip <noscript>, so read it through CSS locators.
    assert.match(await page.locator('body').innerText(), /protecting itself from automated traffic[\s\S]*wait 5 seconds/);
    const button = page.locator('noscript button', { hasText: 'Continue to the site' });
    assert.equal(await button.isVisible(), true);
    // Too early: refused, generic page.
    await button.click();
    await page.getByText('could not verify your browser').waitFor();
    assert.equal(logs.at(-1)?.reason, 'too_early');
    await page.goto(`${srv.base}/docs`);
    clock.advance(5000);
    await button.click();
    await page.getByText('hello from GET /docs').waitFor({ timeout: 30_000 });
    assert.equal(logs.at(-1)?.method, 'nojs');
    const clearance = (await context.cookies(srv.base)).find((c) => c.name === 'rampart_clearance');
    assert.ok(clearance);
    assert.ok(clearance.expires - clock.now() / 1000 <= 5 * 60 + 1, 'short clearance for the no-JS path');
  } finally {
    await context.close();
    await srv.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
