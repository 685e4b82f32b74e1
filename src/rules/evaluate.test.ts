import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { enableSafeRegex } from '../lib/regex.ts';
import { compileExpression, createRuleRequest, RuleError } from './index.ts';
import type { RuleList, RuleRequest, RuleRequestInit } from './index.ts';

enableSafeRegex();

const data = JSON.parse(readFileSync(new URL('./testdata/eval-vectors.json', import.meta.url), 'utf8')) as {
  requests: Record<string, RuleRequestInit>;
  vectors: [string, string, boolean][];
};

test('evaluation vectors', () => {
  const reqs = new Map(Object.entries(data.requests).map(([k, v]) => [k, createRuleRequest(v)]));
  assert.ok(data.vectors.length > 90);
  for (const [src, reqName, expected] of data.vectors) {
    const req = reqs.get(reqName);
    assert.ok(req, reqName);
    let got: boolean;
    try {
      got = compileExpression(src).evaluate(req);
    } catch (e) {
      throw new Error(`${src}: ${e instanceof RuleError ? e.format() : String(e)}`);
    }
    assert.equal(got, expected, `${src} on ${reqName}`);
  }
});

test('fields set lists what the expression reads', () => {
  const e = compileExpression('http.host eq "a" and any(http.request.headers["x"][*] eq "b") or ip.src in {1.2.3.4}');
  assert.deepEqual([...e.fields].sort(), ['http.host', 'http.request.headers', 'ip.src']);
  assert.equal(e.source, 'http.host eq "a" and any(http.request.headers["x"][*] eq "b") or ip.src in {1.2.3.4}');
});

test('named lists: ip, asn and string, resolved at compile time', () => {
  const lists = new Map<string, RuleList>([
    ['office', { kind: 'ip', items: ['203.0.113.0/24', '2001:db8::/48', '198.51.100.1-198.51.100.9'] }],
    ['bad_asns', { kind: 'asn', items: [64496, 64511] }],
    ['agents', { kind: 'string', items: ['curl/8', 'wget'] }],
  ]);
  const office = compileExpression('ip.src in $office', { lists });
  assert.equal(office.evaluate(createRuleRequest({ ip: '203.0.113.200' })), true);
  assert.equal(office.evaluate(createRuleRequest({ ip: '198.51.100.5' })), true);
  assert.equal(office.evaluate(createRuleRequest({ ip: '2001:db8:0:1::' })), true);
  assert.equal(office.evaluate(createRuleRequest({ ip: '2001:db8:1::' })), false);
  assert.equal(office.evaluate(createRuleRequest({ ip: 'garbage' })), false);
  const asn = compileExpression('ip.src.asnum in $bad_asns', { lists });
  assert.equal(asn.evaluate(createRuleRequest({ ip: '1.1.1.1', asn: 64511 })), true);
  assert.equal(asn.evaluate(createRuleRequest({ ip: '1.1.1.1', asn: 1 })), false);
  const ua = compileExpression('http.user_agent in $agents', { lists: (n) => lists.get(n) });
  assert.equal(ua.evaluate(createRuleRequest({ ip: '1.1.1.1', headers: { 'user-agent': 'wget' } })), true);
  assert.throws(() => compileExpression('http.host in $office', { lists }), (e: unknown) => e instanceof RuleError && e.code === 'rules.list_type');
  assert.throws(() => compileExpression('ip.src in $ofice', { lists }), (e: unknown) => e instanceof RuleError && /did you mean \$office/.test(e.message));
  const bad = new Map<string, RuleList>([['b', { kind: 'ip', items: ['1.2.3.4', 'nope'] }]]);
  assert.throws(() => compileExpression('ip.src in $b', { lists: bad }), (e: unknown) => e instanceof RuleError && e.code === 'rules.bad_list');
});

test('fields are read only when evaluation reaches them (short-circuit)', () => {
  const reads: string[] = [];
  const base = createRuleRequest({ ip: '1.2.3.4', method: 'GET' });
  const req: RuleRequest = {
    ...base,
    get method() { reads.push('method'); return 'GET'; },
    header: (n) => { reads.push(`header:${n}`); return base.header(n); },
    cookie: (n) => { reads.push(`cookie:${n}`); return []; },
  };
  const e = compileExpression('http.request.cookies["a"][0] eq "b" and http.request.method eq "POST" or http.request.headers["X-Y"][0] eq "z"');
  assert.equal(e.evaluate(req), false);
  // cheapest operand first: the lone header test before the and-chain, and in the chain the method comparison
  // (which fails) before the cookie, which is never parsed
  assert.deepEqual(reads, ['header:x-y', 'method']);
});

test('pathological regexes run in linear time on the linear engine', () => {
  const e = compileExpression('http.request.uri.path matches "^(a+)+$"');
  const req = createRuleRequest({ ip: '1.1.1.1', uri: '/' + 'a'.repeat(50_000) + '!' });
  assert.equal(e.evaluate(req), false);
  const w = compileExpression('http.request.uri.path wildcard "*a*a*a*a*a*a*b"');
  assert.equal(w.evaluate(req), false);
  const strict = compileExpression('http.request.uri.path matches "^(a+)+$" or http.request.uri.path wildcard "*A*B"', { regexEngine: 'linear' });
  assert.equal(strict.evaluate(req), false);
  assert.equal(strict.evaluate(createRuleRequest({ ip: '1.1.1.1', uri: '/xaxb' })), true);
});
