import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText, ConfigError } from './load.ts';

test('a valid config parses with defaults', () => {
  const c = parseConfigText('zones:\n  - name: shop.test\n    origins: ["127.0.0.1:8000"]\n');
  assert.equal(c.zones[0]?.name, 'shop.test');
  assert.equal(c.server.limits.max_header_count, 100);
});

test('a bad value names file, line, column and key path', () => {
  const text = 'zones:\n  - name: shop.test\n    origins:\n      - "127.0.0.1:8000"\n      - "nope:xx"\n';
  assert.throws(() => parseConfigText(text, 'r.yaml'), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    const p = e.problems[0];
    assert.equal(p?.file, 'r.yaml');
    assert.equal(p?.line, 5);
    assert.equal(p?.path, 'zones[0].origins[1]');
    assert.match(e.message, /^r\.yaml:5:\d+: zones\[0\]\.origins\[1\]: /);
    return true;
  });
});

test('an unknown key is reported at the key', () => {
  assert.throws(() => parseConfigText('server:\n  workerz: 2\n', 'c.yaml'), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.problems[0]?.line, 2);
    assert.equal(e.problems[0]?.path, 'server.workerz');
    assert.match(e.problems[0]?.message ?? '', /unknown key "workerz"/);
    return true;
  });
});

test('YAML syntax errors carry a position', () => {
  assert.throws(() => parseConfigText('zones: [\n  - a\n', 'x.yaml'), (e: unknown) => e instanceof ConfigError && /^x\.yaml:\d+:\d+:/.test(e.message));
});

test('duplicate zone names are refused', () => {
  assert.throws(() => parseConfigText('zones:\n  - name: a.test\n  - name: a.test\n'), /already defined/);
});

test('the acme section: directory, CA bundle and challenge; a bad URL names acme.directory', () => {
  const c = parseConfigText('acme:\n  directory: https://127.0.0.1:14000/dir\n  ca_bundle: /etc/rampart/pebble.pem\n  challenge: http-01\n');
  assert.deepEqual(c.acme, { directory: 'https://127.0.0.1:14000/dir', ca_bundle: '/etc/rampart/pebble.pem', challenge: 'http-01' });
  assert.throws(() => parseConfigText('acme:\n  directory: not a url\n', 'r.yaml'), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /^r\.yaml:2:\d+: acme\.directory: want the ACME directory URL/);
    return true;
  });
});
