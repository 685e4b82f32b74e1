import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileWildcard, wildcardSegments } from './wildcard.ts';

/** Reference: the same semantics through an anchored regex. */
function reference(pattern: string, caseSensitive: boolean): RegExp {
  const body = wildcardSegments(pattern).map((s) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')).join('[\\s\\S]*');
  return new RegExp(`^${body}$`, caseSensitive ? '' : 'i');
}

test('segments and escapes', () => {
  assert.deepEqual(wildcardSegments('a*b**c'), ['a', 'b', '', 'c']);
  assert.deepEqual(wildcardSegments('a\\*b\\\\*'), ['a*b\\', '']);
  assert.deepEqual(wildcardSegments('plain'), ['plain']);
});

test('examples', () => {
  const m = compileWildcard('/static/*.js', true);
  assert.equal(m.test('/static/app.js'), true);
  assert.equal(m.test('/static/.js'), true);
  assert.equal(m.test('/static/app.JS'), false);
  assert.equal(compileWildcard('/static/*.js', false).test('/STATIC/app.JS'), true);
  assert.equal(compileWildcard('*', true).test(''), true);
  assert.equal(compileWildcard('a*a', true).test('a'), false, 'prefix and suffix may not overlap');
  assert.equal(compileWildcard('*ab*ab*', true).test('xabab'), true);
  assert.equal(compileWildcard('*ab*ab*', true).test('xaba'), false);
  assert.equal(compileWildcard('a\\*', true).test('a*'), true);
  assert.equal(compileWildcard('a\\*', true).test('ab'), false);
});

test('agrees with a regex reference on random patterns and values', () => {
  let seed = 3;
  const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
  const pc = 'abAB**\\';
  const vc = 'abAB*\\';
  for (let i = 0; i < 3000; i++) {
    let p = '';
    for (let j = rnd(7); j > 0; j--) p += pc[rnd(pc.length)];
    const cs = rnd(2) === 0;
    const m = compileWildcard(p, cs);
    const ref = reference(p, cs);
    for (let k = 0; k < 5; k++) {
      let v = '';
      for (let j = rnd(9); j > 0; j--) v += vc[rnd(vc.length)];
      assert.equal(m.test(v), ref.test(v), `${JSON.stringify(p)} ${cs ? 'strict' : ''} on ${JSON.stringify(v)}`);
    }
  }
});

test('no blow-up on adversarial input', () => {
  const m = compileWildcard('*a*a*a*a*a*a*a*a*b', true);
  assert.equal(m.test('a'.repeat(200_000)), false);
});
