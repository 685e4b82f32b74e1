import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enableSafeRegex } from '../../lib/regex.ts';
import { convertPcre } from './pcre.ts';
import { compileRuleRegex, relaxBounds, setRuleRegexMode } from './rx.ts';
import { AhoCorasick } from './aho-corasick.ts';
import { getOperator } from './index.ts';
import { isValidUtf8 } from './validate-utf8-encoding.ts';
import type { Transaction } from '../engine/transaction.ts';
import { newRule } from '../engine/rule.ts';

enableSafeRegex();

test('PCRE conversion: flags, possessive, atomic, \\x{..}, POSIX classes, anchors, UTF-8 literals', () => {
  assert.deepEqual(convertPcre('(?i)ab1'), { source: '[aA][bB]1', flags: '' });
  assert.deepEqual(convertPcre('(?is)a.b'), { source: '[aA].[bB]', flags: 's' });
  assert.equal(convertPcre('(?i)[a-cX_\\d]').source, '[a-c\\x41-\\x43Xx_\\d]');
  assert.equal(convertPcre('x(?i:ab)c').source, 'x(?:[aA][bB])c');
  assert.equal(convertPcre('(?i)\\x5cu\\x41').source, '\\x5c[uU][aA]');
  assert.equal(convertPcre('a*+b++c?+d{1,3}+').source, 'a*b+c?d{1,3}');
  assert.equal(convertPcre('\\++x').source, '\\++x');
  assert.equal(convertPcre('\\+++x').source, '\\++x');
  assert.equal(convertPcre('(?>ab)').source, '(?:ab)');
  assert.equal(convertPcre('\\x{41}[\\x{5c}]').source, '\\x41[\\x5c]');
  assert.equal(convertPcre('[[:alpha:][:digit:]_]').source, '[a-zA-Z0-9_]');
  assert.equal(convertPcre('\\Aab\\z').source, '^ab$');
  assert.equal(convertPcre('é').source, '\\xc3\\xa9');
  assert.equal(convertPcre('(a(?i)b)c').source, '(a[bB])c');
});

test('regex modes: linear, hybrid, guarded (relaxed bounds), backtracking', () => {
  setRuleRegexMode('backtrack');
  const k = compileRuleRegex('(?i)<script[^>]*>');
  assert.equal(k.kind, 'backtracking');
  assert.ok(k.test('<SCRIPT src=x>'));
  setRuleRegexMode('linear');
  const r = compileRuleRegex('(?i)<script[^>]*>');
  assert.equal(r.kind, 'linear');
  assert.ok(r.test('<SCRIPT src=x>'));
  assert.ok(!r.test('<scrip>'));
  const b = compileRuleRegex('(a)\\1');
  assert.equal(b.kind, 'backtracking');
  assert.ok(b.test('aa'));
  setRuleRegexMode('hybrid');
  assert.equal(compileRuleRegex('(?i)<script').kind, 'hybrid');
  const g = compileRuleRegex('^a.{1,100}b$');
  assert.equal(g.kind, 'guarded');
  assert.ok(g.test('a' + 'x'.repeat(100) + 'b'));
  assert.ok(!g.test('a' + 'x'.repeat(101) + 'b'), 'exact bound honoured on short inputs');
  assert.ok(g.test('a' + 'x'.repeat(3000) + 'b'), 'relaxed verdict on long inputs');
  assert.equal(relaxBounds('a{1,100}b{2,5}c{63}d{3,}'), 'a{1,}b{2,5}c{16,}d{3,}');
});

test('Aho-Corasick finds phrases case-insensitively, including overlapping ones', () => {
  const ac = new AhoCorasick(['he', 'she', 'hers', 'HIS', '/etc/passwd']);
  assert.equal(ac.find('uSHErs'), 'she');
  assert.equal(ac.find('this'), 'his');
  assert.equal(ac.find('x/ETC/passwd'), '/etc/passwd');
  assert.equal(ac.find('nothing'), undefined);
});

const fakeTx = { setCapture() {}, macroValue: () => '' } as unknown as Transaction;
const rule = newRule('t', 1);
const ctx = { baseDir: '/', readFile: () => '' };
function op(name: string, param: string): (input: string) => boolean {
  const def = getOperator(name);
  assert.ok(def, name);
  const fn = def.compile(param, ctx);
  return (input) => fn(fakeTx, input, rule);
}

test('string and numeric operators', () => {
  assert.ok(op('streq', 'POST')('POST'));
  assert.ok(!op('streq', 'POST')('post'));
  assert.ok(op('contains', 'adm')('/admin'));
  assert.ok(op('beginsWith', '/api')('/api/x'));
  assert.ok(op('endsWith', '.php')('a.php'));
  assert.ok(op('within', 'GET HEAD POST')('HEAD'));
  assert.ok(!op('within', 'GET HEAD')('PUT'));
  assert.ok(op('containsWord', 'select')('x select y'));
  assert.ok(!op('containsWord', 'select')('selection'));
  assert.ok(op('eq', '0')('0'));
  assert.ok(op('ge', '5')('7'));
  assert.ok(op('gt', '5')('6'));
  assert.ok(op('le', '5')('5'));
  assert.ok(op('lt', '2')('1'));
  assert.ok(op('eq', '0')('abc'), 'non-numbers read as 0');
  assert.ok(op('pm', 'nikto sqlmap')('Mozilla SQLMap/1.0'));
  assert.ok(op('unconditionalMatch', '')('x'));
});

test('ipMatch, validateByteRange, validateUrlEncoding, validateUtf8Encoding', () => {
  const ip = op('ipMatch', '127.0.0.1,::1,10.0.0.0/8');
  assert.ok(ip('10.2.3.4'));
  assert.ok(ip('::1'));
  assert.ok(!ip('11.0.0.1'));
  assert.ok(!ip('not-an-ip'));
  const vbr = op('validateByteRange', '32-126');
  assert.ok(!vbr('hello'));
  assert.ok(vbr('a\u0000b'));
  const vue = op('validateUrlEncoding', '');
  assert.ok(!vue('a%20b'));
  assert.ok(vue('a%2'));
  assert.ok(vue('a%zz'));
  assert.ok(isValidUtf8('\u00c3\u00a9'));
  assert.ok(!isValidUtf8('\u00c3'));
  assert.ok(!isValidUtf8('\u00c0\u00af'), 'overlong');
  assert.ok(op('validateUtf8Encoding', '')('\u00ff'));
});
