import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRuleRequest, parseCookies, parseQueryArgs } from './index.ts';

test('createRuleRequest splits the target and reads headers from every input shape', () => {
  const shapes = [
    { Host: 'a.test', 'X-A': ['1', '2'] },
    [['host', 'a.test'], ['x-a', '1'], ['X-A', '2']] as [string, string][],
    new Headers([['host', 'a.test'], ['x-a', '1'], ['x-a', '2']]),
    ['Host', 'a.test', 'X-A', '1', 'x-a', '2'],
  ];
  for (const headers of shapes) {
    const r = createRuleRequest({ ip: '1.1.1.1', uri: '/p/q?x=1#frag', headers });
    assert.equal(r.host, 'a.test');
    assert.equal(r.path, '/p/q');
    assert.equal(r.query, 'x=1');
    const xa = r.header('x-a');
    assert.ok(xa.join(',') === '1,2' || xa.join(',') === '1, 2', xa.join('|'));
    assert.deepEqual(r.header('missing'), []);
    assert.ok(r.headerNames().includes('x-a'));
  }
});

test('cookies and query arguments', () => {
  assert.deepEqual([...parseCookies(['a=1; b = two ;c', 'a=3'])], [['a', ['1', '3']], ['b', ['two']], ['c', ['']]]);
  assert.deepEqual([...parseQueryArgs('a=1&b=%41+B&a=%E2%82%AC&bad=%zz&&flag')], [['a', ['1', '€']], ['b', ['A B']], ['bad', ['%zz']], ['flag', ['']]]);
  const r = createRuleRequest({ ip: '1.1.1.1', uri: '/?n=1&n=2', headers: { cookie: 'sid=x' } });
  assert.deepEqual(r.arg('n'), ['1', '2']);
  assert.deepEqual(r.argNames(), ['n']);
  assert.deepEqual(r.cookie('sid'), ['x']);
  assert.deepEqual(r.cookie('nope'), []);
});
