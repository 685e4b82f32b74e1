import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../lib/clock.ts';
import { cookieValues, signClearance } from './clearance-cookie.ts';
import { decideChallenge, handleVerify } from './handler.ts';
import type { ChallengeDeps, ChallengeLogEntry, DecideChallengeInput } from './handler.ts';
import { KeyRing } from './key-ring.ts';
import { solveWork } from './proof-of-work.ts';
import { CountingRandom, MapReplayStore, SECRET_A } from './test-support.ts';

const UA = 'Mozilla/5.0 Handler';
function setup(extra: Partial<ChallengeDeps> = {}) {
  const clock = new ManualClock();
  const logs: ChallengeLogEntry[] = [];
  const deps: ChallengeDeps = {
    keyRing: new KeyRing('k1', SECRET_A), random: new CountingRandom(), replayStore: new MapReplayStore(clock),
    log: (e) => logs.push(e), ...extra,
  };
  const input: DecideChallengeInput = {
    zoneId: 'shop.test', securityLevel: 'under_attack', threatScore: 0, cookies: undefined, ip: '192.0.2.5', ua: UA,
    accept: 'text/html,*/*', method: 'GET', url: '/product/7?c=1', policyId: 'pol-1', now: clock.now(), rayId: 'ray-1',
    siteName: 'shop.test', difficulty: 8,
  };
  const vctx = { zoneId: 'shop.test', ip: '192.0.2.5', ua: UA, now: clock.now(), https: true, policyId: 'pol-1', rayId: 'ray-2' };
  return { clock, deps, input, vctx, logs };
}

function tokenOf(body: string): string {
  const m = /name="token" value="([^"]+)"/.exec(body);
  assert.ok(m?.[1]);
  return m[1];
}

test('pass when the level does not call for a challenge', () => {
  const { deps, input } = setup();
  assert.deepEqual(decideChallenge({ ...input, securityLevel: 'medium', threatScore: 10 }, deps), { kind: 'pass', reason: 'not_required' });
  assert.deepEqual(decideChallenge({ ...input, securityLevel: 'off', threatScore: 100 }, deps), { kind: 'pass', reason: 'not_required' });
  assert.equal(decideChallenge({ ...input, securityLevel: 'off', threatScore: 0, force: true }, deps).kind, 'serve');
  assert.equal(decideChallenge({ ...input, securityLevel: 'medium', threatScore: 20 }, deps).kind, 'serve');
});

test('verified bots skip level challenges, not forced ones', () => {
  const { deps, input } = setup();
  assert.deepEqual(decideChallenge({ ...input, verifiedBot: true }, deps), { kind: 'pass', reason: 'verified_bot' });
  assert.equal(decideChallenge({ ...input, verifiedBot: true, force: true }, deps).kind, 'serve');
  assert.equal(decideChallenge({ ...input, verifiedBot: false }, deps).kind, 'serve');
});

test('serves the page (503 under attack, 403 otherwise) and JSON to API clients', () => {
  const { deps, input } = setup();
  const d = decideChallenge(input, deps);
  assert.equal(d.kind, 'serve');
  if (d.kind !== 'serve') return;
  assert.equal(d.status, 503);
  assert.equal(d.clearance, 'absent');
  assert.equal(d.difficulty, 8);
  assert.ok(d.body.includes('<noscript>'));
  const nonce = /script-src 'nonce-([^']+)'/.exec(d.headers['content-security-policy'] ?? '')?.[1];
  assert.ok(nonce !== undefined && d.body.includes(`<script nonce="${nonce}">`));
  const d2 = decideChallenge({ ...input, securityLevel: 'high', threatScore: 50, difficulty: undefined }, deps);
  assert.ok(d2.kind === 'serve' && d2.status === 403 && d2.difficulty === 18);
  const nonce2 = d2.kind === 'serve' ? /'nonce-([^']+)'/.exec(d2.headers['content-security-policy'] ?? '')?.[1] : '';
  assert.notEqual(nonce2, nonce, 'a fresh CSP nonce per response');
  const j = decideChallenge({ ...input, accept: 'application/json' }, deps);
  assert.ok(j.kind === 'serve');
  assert.equal(j.status, 403);
  assert.equal(j.headers['content-type'], 'application/json; charset=utf-8');
  assert.deepEqual(JSON.parse(j.body), { success: false, errors: [{ code: 1021, message: 'challenge required: the site is under attack mode' }], messages: [], result: null, ray_id: 'ray-1' });
});

test('full flow: solve, verify → 303 to the original URL with the cookie, then pass', async () => {
  const { deps, input, vctx, logs, clock } = setup();
  const d = decideChallenge(input, deps);
  assert.ok(d.kind === 'serve');
  const token = tokenOf(d.body);
  const nonce = solveWork(token, 8) ?? '';
  clock.advance(1500);
  const v = await handleVerify(new URLSearchParams({ token, nonce }).toString(), { ...vctx, now: clock.now() }, deps);
  assert.equal(v.status, 303);
  assert.equal(v.headers.location, '/product/7?c=1');
  const setCookie = v.headers['set-cookie'] ?? '';
  assert.match(setCookie, /^rampart_clearance=[^;]+; Path=\/; Max-Age=1800; HttpOnly; SameSite=Lax; Secure$/);
  assert.deepEqual(v.outcome, { ok: true, method: 'pow', solveMs: 1500, url: '/product/7?c=1', difficulty: 8 });
  assert.deepEqual(logs.map((l) => [l.event, l.solveMs]), [['challenge.solved', 1500]]);
  const cookie = setCookie.split(';')[0] ?? '';
  assert.deepEqual(decideChallenge({ ...input, cookies: `a=b; ${cookie}`, now: clock.now() }, deps), { kind: 'pass', reason: 'clearance' });
  // The same cookie from another /24 is challenged again; so is it after the policy changed.
  const other = decideChallenge({ ...input, cookies: cookie, ip: '198.51.100.5', now: clock.now() }, deps);
  assert.ok(other.kind === 'serve' && other.clearance === 'wrong_prefix');
  const pol = decideChallenge({ ...input, cookies: cookie, policyId: 'pol-2', now: clock.now() }, deps);
  assert.ok(pol.kind === 'serve' && pol.clearance === 'wrong_policy');
  // Replaying the same solution fails with a generic page; the precise reason is only logged.
  const again = await handleVerify(new URLSearchParams({ token, nonce }).toString(), { ...vctx, now: clock.now() }, deps);
  assert.equal(again.status, 403);
  assert.deepEqual(again.outcome, { ok: false, reason: 'replayed' });
  assert.equal(again.headers['set-cookie'], undefined);
  assert.doesNotMatch(again.body, /replay/i);
  assert.equal(logs.at(-1)?.reason, 'replayed');
});

test('a challenged POST gets a page asking to resubmit, with the cookie', async () => {
  const { deps, input, vctx } = setup();
  const d = decideChallenge({ ...input, method: 'POST', url: '/checkout' }, deps);
  assert.ok(d.kind === 'serve');
  const token = tokenOf(d.body);
  const v = await handleVerify(`token=${token}&nonce=${solveWork(token, 8) ?? ''}`, vctx, deps);
  assert.equal(v.status, 200);
  assert.equal(v.headers.location, undefined);
  assert.match(v.headers['set-cookie'] ?? '', /^rampart_clearance=/);
  assert.match(v.body, /POST request[\s\S]*submit it again/);
  assert.ok(v.body.includes('href="/checkout"'));
});

test('verify failures: precise private reason, generic public answer', async () => {
  const { deps, input, vctx, logs } = setup();
  const d = decideChallenge(input, deps);
  assert.ok(d.kind === 'serve');
  const token = tokenOf(d.body);
  const nonce = solveWork(token, 8) ?? '';
  const cases: [string, Partial<typeof vctx>, string][] = [
    ['token=garbage&nonce=1', {}, 'malformed'],
    ['nonce=1', {}, 'malformed'],
    [`token=${token}&nonce=${nonce}`, { ip: '203.0.113.9' }, 'wrong_prefix'],
    [`token=${token}&nonce=${nonce}`, { ua: 'curl/8.0' }, 'wrong_ua'],
    [`token=${token}&nonce=${nonce}`, { zoneId: 'blog.test' }, 'wrong_zone'],
    [`token=${token}&nonce=${nonce}`, { policyId: 'pol-9' }, 'wrong_policy'],
    [`token=${token}&nonce=${nonce}`, { now: vctx.now + 6 * 60_000 }, 'expired'],
    [`token=${token}&nonce=${nonce}x`, {}, 'bad_work'],
    [`token=${token}&nojs=1`, {}, 'nojs_disabled'],
    ['x'.repeat(9000), {}, 'malformed'],
  ];
  for (const [body, over, reason] of cases) {
    const v = await handleVerify(body, { ...vctx, ...over }, deps);
    assert.equal(v.status, 403, reason);
    assert.deepEqual(v.outcome, { ok: false, reason });
    assert.equal(v.headers['set-cookie'], undefined);
    assert.match(v.body, /could not verify your browser/);
    assert.equal(logs.at(-1)?.reason, reason);
    assert.equal(logs.at(-1)?.event, 'challenge.failed');
  }
  // None of those spent the token: the right answer still works once.
  assert.equal((await handleVerify(`token=${token}&nonce=${nonce}`, vctx, deps)).status, 303);
  const json = await handleVerify('token=x', { ...vctx, accept: 'application/json' }, deps);
  assert.equal((JSON.parse(json.body) as { errors: { code: number }[] }).errors[0]?.code, 1022);
});

test('no-JS path: allowed after the delay only, short clearance', async () => {
  const { deps, input, vctx, clock } = setup({ noJsDelayMs: 5000, noJsClearanceTtlMs: 120_000 });
  const d = decideChallenge(input, deps);
  assert.ok(d.kind === 'serve' && d.body.includes('name="nojs"'));
  const token = tokenOf(d.body);
  const early = await handleVerify(`token=${token}&nojs=1`, { ...vctx, now: clock.now() + 4999 }, deps);
  assert.deepEqual(early.outcome, { ok: false, reason: 'too_early' });
  const ok = await handleVerify(`token=${token}&nojs=1`, { ...vctx, now: clock.now() + 5000 }, deps);
  assert.equal(ok.status, 303);
  assert.ok(ok.outcome.ok && ok.outcome.method === 'nojs');
  assert.match(ok.headers['set-cookie'] ?? '', /Max-Age=120;/);
});

test('a configured cookie name is used both ways', async () => {
  const { deps, input } = setup({ cookieName: 'shield' });
  const value = signClearance({ zone: 'shop.test', ip: input.ip, ua: UA, policyId: 'pol-1', now: input.now }, deps.keyRing);
  assert.equal(decideChallenge({ ...input, cookies: `rampart_clearance=${value}` }, deps).kind, 'serve');
  assert.equal(decideChallenge({ ...input, cookies: `shield=${value}` }, deps).kind, 'pass');
  assert.deepEqual(cookieValues(`shield=${value}`, 'shield'), [value]);
});
