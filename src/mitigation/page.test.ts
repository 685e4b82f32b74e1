import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHALLENGE_ERROR_CODES, jsonChallengeBody, renderBlockPage, renderChallengePage, usableChallengeTemplate, VERIFY_PATH, wantsJson } from './page.ts';

const base = {
  token: 'v1.k1.eyJ6b25lIjoieCJ9.bWFj', bits: 12, rayId: '8f1c2a-AMS', siteName: 'shop.test',
  cspNonce: 'bm9uY2Utbm9uY2Utbm9uY2U=', underAttack: false,
};

test('status: 403 normally, 503 under attack; never cached', () => {
  assert.equal(renderChallengePage(base).status, 403);
  const ua = renderChallengePage({ ...base, underAttack: true });
  assert.equal(ua.status, 503);
  assert.match(ua.headers['cache-control'] ?? '', /no-store/);
  assert.equal(ua.headers['content-type'], 'text/html; charset=utf-8');
});

test('CSP carries the per-response nonce, and every script and style uses it', () => {
  const p = renderChallengePage(base);
  const csp = p.headers['content-security-policy'] ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, new RegExp(`script-src 'nonce-${base.cspNonce.replace(/[+/=]/g, '\\$&')}'`));
  assert.match(csp, /worker-src blob:/);
  assert.match(csp, /form-action 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const scripts = [...p.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1] ?? '');
  assert.ok(scripts.length >= 2);
  for (const attrs of scripts) {
    assert.ok(attrs.includes(`nonce="${base.cspNonce}"`) || attrs.includes('type="application/json"'), attrs);
  }
  for (const m of p.body.matchAll(/<style([^>]*)>/g)) assert.ok((m[1] ?? '').includes(`nonce="${base.cspNonce}"`));
  assert.doesNotMatch(p.body, /\sstyle="/, 'no inline style attributes (CSP would block them)');
  assert.doesNotMatch(p.body, /\son[a-z]+="/, 'no inline event handlers');
});

test('self-contained: no external URL anywhere', () => {
  const p = renderChallengePage({ ...base, noJsDelayMs: 5000 });
  assert.doesNotMatch(p.body, /https?:\/\//);
  assert.doesNotMatch(p.body, /\ssrc=/);
  assert.doesNotMatch(p.body, /<link/);
  assert.doesNotMatch(p.body, /url\(/);
  assert.doesNotMatch(p.body, /@import/);
});

test('shows ray id and site, has the worker, the form and the noscript explanation', () => {
  const p = renderChallengePage(base);
  assert.ok(p.body.includes('8f1c2a-AMS'));
  assert.ok(p.body.includes('shop.test'));
  assert.match(p.body, /<noscript>[\s\S]*automated traffic[\s\S]*enable JavaScript[\s\S]*<\/noscript>/);
  assert.ok(p.body.includes(`action="${VERIFY_PATH}"`));
  assert.ok(p.body.includes('name="token"') && p.body.includes('name="nonce"'));
  assert.ok(p.body.includes('new Worker(') && p.body.includes('new Blob(') && p.body.includes("crypto.subtle"));
  assert.ok(p.body.includes("digest('SHA-256'"));
  assert.ok(p.body.includes('class="spinner"'));
  const cfg = /<script type="application\/json" id="rampart-config">([^<]*)<\/script>/.exec(p.body);
  assert.deepEqual(JSON.parse(cfg?.[1] ?? 'null'), { challenge: base.token, bits: 12, batch: 256 });
});

test('no-JS path only when enabled', () => {
  assert.doesNotMatch(renderChallengePage(base).body, /name="nojs"/);
  const p = renderChallengePage({ ...base, noJsDelayMs: 5000 });
  assert.match(p.body, /<noscript>[\s\S]*wait 5 seconds[\s\S]*name="nojs" value="1"[\s\S]*<\/noscript>/);
});

test('site name and ray are escaped', () => {
  const p = renderChallengePage({ ...base, siteName: '<img src=x onerror=alert(1)>', rayId: '"><script>' });
  assert.doesNotMatch(p.body, /<img src=x/);
  assert.ok(p.body.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(!p.body.includes('"><script>'));
});

test('operator template: placeholders are filled, the challenge block is mandatory', () => {
  const template = '<html><head><style nonce="{{nonce}}">b{}</style></head><body><h1>{{site}}</h1>{{challenge}}<i>{{ray}}</i></body></html>';
  const p = renderChallengePage({ ...base, siteName: 'a&b', template });
  assert.ok(p.body.startsWith('<html><head><style nonce="bm9uY2Utbm9uY2Utbm9uY2U=">'));
  assert.ok(p.body.includes('<h1>a&amp;b</h1>'));
  assert.ok(p.body.includes('<noscript>') && p.body.includes('rampart-config'));
  assert.ok(p.body.includes('<i>8f1c2a-AMS</i>'));
  const without = renderChallengePage({ ...base, template: '<html>{{site}}</html>' });
  assert.ok(without.body.includes('rampart-config'), 'a template without {{challenge}} falls back to the built-in page');
});

test('operator template with {{challenge_form}} and {{challenge_script}} in separate places', () => {
  const template = '<html><body><main>{{challenge_form}}</main><footer>{{ray}}</footer>{{challenge_script}}</body></html>';
  const p = renderChallengePage({ ...base, template });
  const form = p.body.indexOf('id="rampart-form"');
  const footer = p.body.indexOf('<footer>8f1c2a-AMS</footer>');
  const script = p.body.indexOf('id="rampart-config"');
  assert.ok(form > 0 && footer > form && script > footer, 'form, then footer, then the scripts');
  assert.ok(p.body.includes('<script nonce="bm9uY2Utbm9uY2Utbm9uY2U=">'));
  assert.equal(p.headers['content-security-policy'], renderChallengePage(base).headers['content-security-policy']);
  assert.ok(!renderChallengePage({ ...base, template: '<html>{{challenge_form}}{{ray}}</html>' }).body.startsWith('<html>'), 'script missing: built-in page');
  assert.ok(!renderChallengePage({ ...base, template: '<html>{{challenge}}</html>' }).body.startsWith('<html>'), 'ray missing: built-in page');
  assert.equal(usableChallengeTemplate('{{challenge}}{{ray}}'), true);
});

test('block page template: placeholders escaped and filled once, page CSP', () => {
  const p = renderBlockPage({ template: '<p>{{status}} {{reason}} at {{site}}</p><i>{{ray}}</i><style nonce="{{nonce}}"></style>', status: 403, reason: 'waf.block', rayId: 'r-1', siteName: '<b>{{ray}}</b>', cspNonce: 'bm9uY2U=' });
  assert.equal(p.status, 403);
  assert.equal(p.body, '<p>403 waf.block at &lt;b&gt;{{ray}}&lt;/b&gt;</p><i>r-1</i><style nonce="bm9uY2U="></style>');
  assert.match(p.headers['content-security-policy'] ?? '', /style-src 'nonce-bm9uY2U='/);
});

test('JSON body for API clients: stable shape and codes', () => {
  assert.deepEqual(JSON.parse(jsonChallengeBody('ray-1')), {
    success: false, errors: [{ code: 1020, message: 'challenge required' }], messages: [], result: null, ray_id: 'ray-1',
  });
  assert.equal((JSON.parse(jsonChallengeBody('r', 'under_attack')) as { errors: { code: number }[] }).errors[0]?.code, 1021);
  assert.equal(CHALLENGE_ERROR_CODES.verification_failed.code, 1022);
});

test('wantsJson: JSON without HTML', () => {
  assert.equal(wantsJson('application/json'), true);
  assert.equal(wantsJson('application/problem+json, */*'), true);
  assert.equal(wantsJson('text/html,application/json'), false);
  assert.equal(wantsJson('*/*'), false);
  assert.equal(wantsJson(undefined), false);
});
