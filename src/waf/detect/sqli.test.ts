import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { detectSqli } from './index.ts';
import { tokenize } from './sqli-tokenizer.ts';
import { matchesRules } from './sqli-rules.ts';
import { benignCorpus } from './testdata/evaluate.ts';

interface Vectors {
  positive: string[];
  negative: string[];
}
const vectors = JSON.parse(readFileSync(new URL('./testdata/sqli-vectors.json', import.meta.url), 'utf8')) as Vectors;

const plain = { quote: 0, mysqlDashes: false } as const;
const single = { quote: 39, mysqlDashes: false } as const;

test('tokenizer: classes and folds', () => {
  assert.equal(tokenize('1234 OR 1=1', plain).fp, 'n&n=n');
  assert.equal(tokenize("-1839' or '1'='1", single).fp, 's&s=s');
  assert.equal(tokenize('1 + 1', plain).fp, 'n');
  assert.equal(tokenize('-1 or -1', plain).fp, 'n&n');
  assert.equal(tokenize('x UNION ALL SELECT', plain).fp, 'wUE');
  assert.equal(tokenize('a ORDER BY 1', plain).fp, 'wBn');
  assert.equal(tokenize('a IS NOT NULL', plain).fp, 'win');
  assert.equal(tokenize('a NOT IN (1)', plain).fp, 'wi(n)');
  assert.equal(tokenize('sleep(5)', plain).fp, 'F(n)');
  assert.equal(tokenize('count(5)', plain).fp, 'f(n)');
  assert.equal(tokenize('sleep 5', plain).fp, 'wn');
  assert.equal(tokenize('@@version', plain).fp, 'v');
  assert.equal(tokenize('`tbl`', plain).fp, 'w');
  assert.equal(tokenize("'O''Brien'", plain).fp, 's');
  assert.equal(tokenize("N'abc'", plain).fp, 's');
  assert.equal(tokenize('0x41 or 0b01', plain).fp, 'n&n');
  assert.equal(tokenize('drop table t', plain).fp, 'Xw');
  assert.equal(tokenize('waitfor delay', plain).fp, 'X');
  assert.equal(tokenize("x'; declare @a", single).fp, 's;X');
});

test('tokenizer: comments', () => {
  assert.equal(tokenize("admin'--", single).fp, 'sc');
  assert.equal(tokenize("admin' # x", single).fp, 'sc');
  assert.equal(tokenize('1/**/or/**/1', plain).fp, 'n&n');
  assert.equal(tokenize('1 -- x\n or 1', plain).fp, 'n&n');
  assert.equal(tokenize('1--1', plain).fp, 'nc');
  assert.equal(tokenize('1--1', { quote: 0, mysqlDashes: true }).fp, 'n');
  assert.equal(tokenize('SELECT/**/password', plain).gluedComment, true);
  assert.equal(tokenize('SELECT /**/ password', plain).gluedComment, false);
  assert.equal(tokenize('select.1', plain).fp, 'En');
  assert.equal(tokenize('from information_schema.tables', plain).fp, 'Xw');
  const exec = tokenize('1/*!50000union*/select', plain);
  assert.equal(exec.fp, 'nUE');
  assert.equal(exec.execComment, true);
});

test('tokenizer: the first five tokens only, on any length', () => {
  const long = '1 or 1=1 ' + 'and 2=2 '.repeat(10000);
  assert.equal(tokenize(long, plain).fp, 'n&n=n');
  assert.equal(tokenize("'".repeat(50001), single).fp.length <= 5, true);
});

test('rules: anchored and floating patterns', () => {
  assert.equal(matchesRules('n&n=n'), true);
  assert.equal(matchesRules('wUEn'), true);
  assert.equal(matchesRules('wUEww'), false);
  assert.equal(matchesRules('sw&w'), false);
  assert.equal(matchesRules('n&n'), false);
  assert.equal(matchesRules('n&nc'), true);
  assert.equal(matchesRules('n&nw'), false);
});

test('positive vectors are detected', () => {
  const missed = vectors.positive.filter((v) => !detectSqli(v).isSqli);
  assert.deepEqual(missed, []);
});

test('negative vectors are clean', () => {
  const flagged = vectors.negative.filter((v) => detectSqli(v).isSqli);
  assert.deepEqual(flagged, []);
});

test('empty and whitespace-only values', () => {
  assert.deepEqual(detectSqli(''), { isSqli: false, fingerprint: '' });
  assert.deepEqual(detectSqli('   \n\t'), { isSqli: false, fingerprint: '' });
});

test('fingerprint is returned', () => {
  assert.deepEqual(detectSqli('1 OR 1=1'), { isSqli: true, fingerprint: 'n&n=n' });
  assert.deepEqual(detectSqli('hello world'), { isSqli: false, fingerprint: 'ww' });
});

test('benign corpus: few false positives', () => {
  const corpus = benignCorpus();
  assert.ok(corpus.length >= 300);
  const fp = corpus.filter((v) => detectSqli(v).isSqli);
  // Known: "or 2 = 3 in math", "'a' = 'b'", "select * from the menu", "Union select team" (SQL-shaped prose).
  assert.ok(fp.length <= 4, `false positives: ${JSON.stringify(fp)}`);
});
