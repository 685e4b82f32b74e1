import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enableSafeRegex } from '../lib/regex.ts';
import { requiredLiteral } from './literal.ts';
import { compileCustomRules, compileExpression, createRuleRequest, CustomRuleSchema, evaluateRules, guardOf, parseExpression } from './index.ts';
import { checkExpression } from './checker.ts';

const compileExpressionTree = (src: string) => checkExpression(src, parseExpression(src), {}).root;

enableSafeRegex();

test('requiredLiteral finds only what every match must contain', () => {
  const cases: Array<[string, string | null]> = [
    ["id=12[0-9]+'", 'id=12'], ['(?:curl|wget)/', null], ['^/admin/.*\\.php$', '/admin/'], ['abc?def', 'def'], ['x{2}yz', 'yz'],
    ['foo(bar)?baz', 'foo'], ['\\d+select\\s+from', 'select'], ['a\\.b\\/c', 'a.b/c'], ['ab+cd', 'ab'], ['\\x41bcd', null], ['(((', null], ['\\', null],
  ];
  for (const [src, want] of cases) assert.equal(requiredLiteral(src), want, src);
  // agreement: with the prefilter, every value the regex matches contains the literal
  const alphabet = ['a', 'b', 'c', '.', '/', '1', 'id=', "'", 'select', ' '];
  const patterns = ['a+b', 'id=1[0-9]*', 'b\\.c', 'select\\s*a', "c'?/"];
  let seed = 7;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (const p of patterns) {
    const re = new RegExp(p);
    const lit = requiredLiteral(p);
    for (let i = 0; i < 2000; i++) {
      let s = '';
      for (let j = rnd(8); j > 0; j--) s += alphabet[rnd(alphabet.length)];
      if (re.test(s) && lit !== null) assert.ok(s.includes(lit), `${p} matched ${JSON.stringify(s)} without ${lit}`);
    }
  }
});

test('guards: the most selective method/host/path literal of an and, none under or/not', () => {
  const g = (src: string) => { const e = compileExpression(src); return e.guard && { field: e.guard.field, value: e.guard.value, set: e.guard.set && [...e.guard.set] }; };
  assert.deepEqual(g('http.request.method eq "POST" and http.request.uri.path eq "/login"'), { field: 2, value: '/login', set: undefined });
  assert.deepEqual(g('http.host in {"a.test" "b.test"} and ssl'), { field: 1, value: undefined, set: ['a.test', 'b.test'] });
  assert.equal(g('http.request.uri.path eq "/a" or ssl'), undefined);
  assert.equal(g('not http.request.uri.path eq "/a"'), undefined);
  assert.equal(g('http.request.uri.path ne "/a"'), undefined);
  assert.deepEqual(guardOf(compileExpressionTree('http.request.method eq "GET"')), { field: 0, value: 'GET', set: undefined });
});

test('rule sets with guards, memoised fields and prefiltered patterns give the same answers as plain evaluation', () => {
  const exprs = [
    'http.request.uri.path eq "/admin" and http.user_agent contains "curl"',
    'http.request.method in {"PUT" "DELETE"} and lower(http.request.uri.path) wildcard "/API/*"',
    'http.request.uri.query matches "id=[0-9]+\'"',
    'lower(http.user_agent) contains "bot" and http.host eq "a.test"',
    'upper(http.request.headers["x-k"][0]) eq "K1"',
    'http.request.uri.path wildcard "/Static/*.CSS"',
  ];
  const rules = compileCustomRules(exprs.map((expression, i) => CustomRuleSchema.parse({ id: `r${i}`, expression, action: 'log' })));
  const reqs = [
    { method: 'GET', uri: '/admin', headers: { host: 'a.test', 'user-agent': 'curl/8' } },
    { method: 'DELETE', uri: '/api/x', headers: { host: 'a.test', 'user-agent': 'Mozilla' } },
    { method: 'GET', uri: "/q?id=12'", headers: { host: 'b.test', 'user-agent': 'GoodBot' } },
    { method: 'GET', uri: '/static/site.css', headers: { host: 'a.test', 'user-agent': 'SomeBOT', 'x-k': 'k1' } },
    { method: 'POST', uri: '/API/y', headers: { host: 'a.test', 'user-agent': 'x' } },
  ];
  // alternate requests so the per-request memos must notice the change
  for (let round = 0; round < 3; round++) {
    for (const init of reqs) {
      const req = createRuleRequest({ ...init, ip: '192.0.2.1' });
      const plain = rules.filter((r) => r.expression.evaluate(req)).map((r) => r.id);
      const viaSet = evaluateRules(rules, req).logged.map((r) => r.id);
      assert.deepEqual(viaSet, plain, init.uri);
    }
  }
  const ids = (init: (typeof reqs)[number]) => evaluateRules(rules, createRuleRequest({ ...init, ip: '192.0.2.1' })).logged.map((r) => r.id);
  assert.deepEqual(ids(reqs[0]!), ['r0']);
  assert.deepEqual(ids(reqs[1]!), ['r1']);
  assert.deepEqual(ids(reqs[2]!), ['r2']);
  assert.deepEqual(ids(reqs[3]!), ['r3', 'r4', 'r5']);
  assert.deepEqual(ids(reqs[4]!), [], 'POST is not in the method set');
});

test('LiteralSet (Aho-Corasick) reports every literal present, overlapping ones included', async () => {
  const { LiteralSet } = await import('./prefilter.ts');
  const lits = ['he', 'she', 'his', 'hers', 'ab', 'bab', 'xyz'];
  const set = new LiteralSet(lits);
  const found = (s: string): string[] => {
    const stamp = new Uint32Array(lits.length);
    set.scan(s, Int32Array.from(lits, (_l, i) => i), stamp, 1);
    return lits.filter((_l, i) => stamp[i] === 1);
  };
  for (const s of ['ushers', 'ahishers', 'abab', 'xy', '', 'shehis', 'bxyz']) assert.deepEqual(found(s), lits.filter((l) => s.includes(l)), s);
  let seed = 3;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (let i = 0; i < 500; i++) {
    let s = '';
    for (let j = rnd(12); j > 0; j--) s += 'abehirsxyz'[rnd(10)];
    assert.deepEqual(found(s), lits.filter((l) => s.includes(l)), s);
  }
});

test('a rule list with needles on several fields agrees with plain evaluation on random requests', () => {
  const exprs = [
    'http.user_agent contains "bad-bot"', 'http.request.uri.query matches "id=[0-9]+\'"', 'starts_with(http.request.uri.path, "/private/")',
    'lower(http.request.uri.path) wildcard "/backup-*/*.sql"', 'ends_with(lower(http.request.uri.path), ".php")', 'http.referer eq "evil.example"',
    'http.user_agent contains "curl" and http.request.uri.path contains "/admin"', 'http.request.uri.path strict wildcard "/A*/b"',
  ];
  const rules = compileCustomRules(exprs.map((expression, i) => CustomRuleSchema.parse({ id: `r${i}`, expression, action: 'log' })));
  const parts = ['/private/', '/backup-1/', 'x.SQL', '.PHP', '/admin', '/A', '/b', '?id=12\'', '?q=1', '/'];
  const uas = ['curl/8', 'bad-bot/1', 'Mozilla', 'BAD-BOT'];
  let seed = 11;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  let matches = 0;
  for (let i = 0; i < 1000; i++) {
    let uri = '';
    for (let j = 1 + rnd(3); j > 0; j--) uri += parts[rnd(parts.length)];
    if (!uri.startsWith('/')) uri = '/' + uri;
    const req = createRuleRequest({ uri, headers: { 'user-agent': uas[rnd(uas.length)] as string, referer: rnd(2) ? 'evil.example' : 'good' }, ip: '192.0.2.1' });
    const plain = rules.filter((r) => r.expression.evaluate(req)).map((r) => r.id);
    assert.deepEqual(evaluateRules(rules, req).logged.map((r) => r.id), plain, uri);
    matches += plain.length;
  }
  assert.ok(matches > 300, `the random requests match often enough to mean something (${matches})`);
});
