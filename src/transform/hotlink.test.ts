import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileHotlink, isImageRequest } from './hotlink.ts';

test('hotlink policy: foreign referers on images are blocked; own hosts, allowlist and no referer pass', () => {
  const p = compileHotlink({ zoneHosts: ['shop.test', '*.shop-cdn.test', 'alias.test'], allow: ['partner.example', '*.friends.example'] });
  const req = (path: string, referer: string | undefined, dest?: string): boolean => p.blocks({ path, referer, secFetchDest: dest, host: 'shop.test' });
  assert.equal(req('/img/logo.png', 'https://evil.example/page'), true);
  assert.equal(req('/img/logo.PNG?v=2', 'http://evil.example/'), true);
  assert.equal(req('/img/logo', 'https://evil.example/', 'image'), true);
  assert.equal(req('/img/logo.png', 'android-app://com.x/'), true);
  assert.equal(req('/img/logo.png', 'not a url'), true);
  assert.equal(req('/img/logo.png', undefined), false);
  assert.equal(req('/img/logo.png', ''), false);
  assert.equal(req('/img/logo.png', 'https://shop.test/a'), false);
  assert.equal(req('/img/logo.png', 'https://www.shop.test/a'), false);
  assert.equal(req('/img/logo.png', 'https://x.shop-cdn.test/a'), false);
  assert.equal(req('/img/logo.png', 'https://alias.test/a'), false);
  assert.equal(req('/img/logo.png', 'https://sub.alias.test/a'), true);
  assert.equal(req('/img/logo.png', 'https://partner.example/a'), false);
  assert.equal(req('/img/logo.png', 'https://a.friends.example/a'), false);
  assert.equal(req('/img/logo.png', 'https://friends.example/a'), true);
  assert.equal(req('/hotlink-ok/logo.png', 'https://evil.example/'), false);
  assert.equal(req('/page.html', 'https://evil.example/'), false);
  assert.equal(req('/app.js', 'https://evil.example/'), false);
});

test('image requests by extension or Sec-Fetch-Dest', () => {
  assert.ok(isImageRequest('/a/b.jpeg', undefined));
  assert.ok(isImageRequest('/a/b.webp?x=1.html', undefined));
  assert.ok(!isImageRequest('/a.png/b', undefined));
  assert.ok(!isImageRequest('/a/b.html?x=1.png', undefined));
  assert.ok(isImageRequest('/render', 'image'));
});
